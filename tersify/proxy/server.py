"""Running an ASGI app on uvicorn: in the foreground (``tersify proxy``) or in a
background thread on a free loopback port (tests, the load benchmark)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass

import uvicorn

from tersify.errors import TersifyError


def _config(app: object, shutdown_grace_s: float, **kwargs: object) -> uvicorn.Config:
    # The upstream's own Server/Date headers are relayed; uvicorn must not add a second pair.
    # On SIGINT/SIGTERM uvicorn stops accepting, lets requests in flight (streams included)
    # finish for up to shutdown_grace_s, then cancels what is left.
    return uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, date_header=False,
                          timeout_graceful_shutdown=shutdown_grace_s, **kwargs)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (IPv4 or IPv6), or a one-line error."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise TersifyError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve(app: object, host: str, port: int, *, shutdown_grace_s: float = 60.0) -> None:
    """Serve until interrupted; streams in flight get ``shutdown_grace_s`` to finish."""
    sock = bind(host, port)
    uvicorn.Server(_config(app, shutdown_grace_s)).run(sockets=[sock])


@dataclass
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(
    app: object, host: str = "127.0.0.1", start_timeout: float = 20.0, *, shutdown_grace_s: float = 5.0
) -> RunningServer:
    """Start ``app`` on a free port of ``host`` in a daemon thread; return once it accepts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(_config(app, shutdown_grace_s))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"server on {host}:{port} did not start")
        time.sleep(0.01)
    return RunningServer(f"http://{host}:{port}", server, thread)
