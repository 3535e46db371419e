"""Agent tracebacks in Python, JavaScript (Node), Java, Go and Rust, some with the
command line or log lines an agent would see around them."""

from __future__ import annotations

import random

from tersify_train.sources.generators import _code
from tersify_train.sources.generators import _vocab as v


def _python(rng: random.Random) -> list[str]:
    root = v.abs_root(rng)
    out = ["Traceback (most recent call last):"]
    for k in range(rng.randint(2, 6)):
        if k == 0 and rng.random() < 0.4:
            path = f"{root}/.venv/lib/python3.{rng.randint(9, 12)}/site-packages/{rng.choice(('click', 'flask', 'django', 'requests', 'sqlalchemy'))}/{rng.choice(v.STEMS)}.py"
        else:
            path = f"{root}/{v.module_path(rng, 'py')}"
        out.append(f'  File "{path}", line {rng.randint(1, 1500)}, in {v.snake(rng) if rng.random() < 0.85 else "<module>"}')
        out.append(f"    {_code.python_line(rng)}")
        if rng.random() < 0.12:
            out.append(f"    {' ' * rng.randint(0, 10)}{'^' * rng.randint(3, 20)}")
    noun = rng.choice(v.NOUNS)
    err, msg = rng.choice((
        ("KeyError", f"'{noun}'"), ("ValueError", f"invalid literal for int() with base 10: '{v.token(rng, 4)}'"),
        ("FileNotFoundError", f"[Errno 2] No such file or directory: '{root}/{rng.choice(('config', 'data'))}/"
                              f"{rng.choice(v.STEMS)}.{rng.choice(('json', 'yaml', 'toml'))}'"),
        ("AttributeError", f"'NoneType' object has no attribute '{noun}'"), ("ZeroDivisionError", "division by zero"),
        ("json.decoder.JSONDecodeError", f"Expecting value: line {rng.randint(1, 40)} column {rng.randint(1, 80)} "
                                         f"(char {rng.randint(0, 4000)})"),
        ("ModuleNotFoundError", f"No module named '{rng.choice(v.PROJECTS)}'"), ("sqlite3.OperationalError", "database is locked"),
        ("sqlite3.OperationalError", f"no such table: {noun}s"),
        ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'"), ("IndexError", "list index out of range"),
        ("TypeError", f"{v.snake(rng)}() missing 1 required positional argument: '{noun}'"),
        ("PermissionError", f"[Errno 13] Permission denied: '/var/lib/{rng.choice(v.PROJECTS)}/{noun}.lock'"),
        ("TimeoutError", f"timed out after {rng.randint(1, 120)} seconds waiting for {noun}"),
        ("ConnectionRefusedError", "[Errno 111] Connection refused"),
        ("RecursionError", "maximum recursion depth exceeded while calling a Python object"),
        ("AssertionError", f"expected {rng.randint(0, 99)} {noun}s, got {rng.randint(0, 99)}"),
        ("UnicodeDecodeError", f"'utf-8' codec can't decode byte 0x{v.hexstr(rng, 2)} in position {rng.randint(0, 9999)}: invalid start byte"),
    ))
    if rng.random() < 0.15:
        out = [*out, f"{rng.choice(v.PY_ERRORS)}: {rng.choice(v.NOUNS)} {rng.randint(1, 999)}", "",
               "During handling of the above exception, another exception occurred:", "",
               "Traceback (most recent call last):",
               f'  File "{root}/{v.module_path(rng, "py")}", line {rng.randint(1, 900)}, in {v.snake(rng)}',
               f"    {_code.python_line(rng)}"]
    out.append(f"{err}: {msg}")
    if rng.random() < 0.3:
        out.insert(0, f"$ python -m {rng.choice(v.PROJECTS)}.{rng.choice(v.STEMS)} {rng.choice(('--config', '--input', '-c'))} {rng.choice(v.STEMS)}.yaml")
    return out


def _node(rng: random.Random) -> list[str]:
    root = v.abs_root(rng)
    err = rng.choice(v.JS_ERRORS)
    msg = rng.choice((f"Cannot read properties of undefined (reading '{rng.choice(v.NOUNS)}')", f"{v.camel(rng)} is not a function",
                      f"{rng.choice(v.NOUNS)} is not defined", "jwt expired", f"connect ECONNREFUSED 127.0.0.1:{rng.choice((5432, 6379, 3000, 27017))}",
                      "Invalid array length", "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON"))
    out = []
    if rng.random() < 0.4:
        path = f"{root}/{v.module_path(rng, 'js')}"
        line = rng.randint(1, 500)
        out += [f"{path}:{line}", f"    {_code.javascript_line(rng)}", f"    {' ' * rng.randint(0, 20)}^", ""]
    out.append(f"{err}: {msg}")
    for _ in range(rng.randint(2, 7)):
        if rng.random() < 0.25:
            out.append(f"    at {rng.choice(('process.processTicksAndRejections', 'Module._compile', 'Layer.handle [as handle_request]', 'next'))} "
                       f"(node:internal/{rng.choice(('process/task_queues', 'modules/cjs/loader'))}:{rng.randint(10, 1500)}:{rng.randint(1, 40)})")
        else:
            fn = v.camel(rng) if rng.random() < 0.6 else f"{v.class_name(rng)}.{v.camel(rng)}"
            out.append(f"    at {'async ' * (rng.random() < 0.3)}{fn} ({root}/{v.module_path(rng, 'js')}:{rng.randint(1, 900)}:{rng.randint(1, 60)})")
    if rng.random() < 0.3:
        out.append("")
        out.append(f"Node.js v{rng.choice((18, 20, 22))}.{rng.randint(0, 19)}.{rng.randint(0, 9)}")
    return out


def _java(rng: random.Random) -> list[str]:
    pkg = f"com.example.{rng.choice(v.PROJECTS)}"
    out = []
    if rng.random() < 0.5:
        out.append(f"{v.iso_time(rng, True)} ERROR [{rng.choice(('main', 'http-nio-8080-exec-' + str(rng.randint(1, 20)), 'pool-1-thread-3'))}] "
                   f"{pkg}.{v.class_name(rng)} - {rng.choice(('Request failed', 'Unhandled exception', 'Job aborted'))}")
    err, msg = rng.choice((
        ("java.lang.NullPointerException",
         f'Cannot invoke "{pkg}.{v.class_name(rng)}.{v.camel(rng)}()" because "{rng.choice(v.NOUNS)}" is null'),
        ("java.lang.ArrayIndexOutOfBoundsException", f"Index {rng.randint(0, 99)} out of bounds for length {rng.randint(0, 99)}"),
        ("java.lang.NumberFormatException", f'For input string: "{v.token(rng, 5)}"'),
        ("java.net.SocketTimeoutException", "Read timed out"),
        ("java.lang.IllegalArgumentException", f"{rng.choice(v.NOUNS)} must not be null"),
        ("java.lang.OutOfMemoryError", "Java heap space"),
        ("java.lang.IllegalStateException", f"{v.class_name(rng)} already closed"),
        ("java.sql.SQLException", f"Connection is not available, request timed out after {rng.randint(1000, 60000)}ms."),
        ("java.util.ConcurrentModificationException", "null"),
    ))
    prefix = 'Exception in thread "main" ' if rng.random() < 0.3 else ""
    out.append(f"{prefix}{err}: {msg}")
    frames = rng.randint(3, 9)
    for _ in range(frames):
        cls = v.class_name(rng)
        out.append(f"\tat {pkg}.{rng.choice(v.DIRS)}.{cls}.{v.camel(rng)}({cls}.java:{rng.randint(10, 900)})")
    if rng.random() < 0.4:
        out.append(f"\tat java.base/java.lang.Thread.run(Thread.java:{rng.choice((833, 840, 1583))})")
    if rng.random() < 0.3:
        out.append(f"Caused by: {rng.choice(v.JAVA_ERRORS)}: {rng.choice(v.NOUNS)} {rng.choice(('closed', 'expired', 'missing'))}")
        out.append(f"\tat {pkg}.{v.class_name(rng)}.{v.camel(rng)}({v.class_name(rng)}.java:{rng.randint(10, 400)})")
        out.append(f"\t... {rng.randint(3, 40)} more")
    return out


def _go(rng: random.Random) -> list[str]:
    mod = f"github.com/example/{rng.choice(v.PROJECTS)}"
    msg = rng.choice(("runtime error: invalid memory address or nil pointer dereference",
                      f"runtime error: index out of range [{rng.randint(1, 50)}] with length {rng.randint(0, 50)}",
                      "assignment to entry in nil map", f"{rng.choice(v.NOUNS)}: unexpected state {rng.randint(0, 9)}",
                      "send on closed channel"))
    out = [f"panic: {msg}"]
    if "nil pointer" in msg:
        out.append(f"[signal SIGSEGV: segmentation violation code=0x1 addr=0x{v.hexstr(rng, 2)} pc=0x{v.hexstr(rng, 6)}]")
    out += ["", f"goroutine {rng.randint(1, 500)} [running]:"]
    for _ in range(rng.randint(2, 6)):
        out.append(f"{mod}/{rng.choice(v.DIRS)}.(*{v.class_name(rng)}).{v.camel(rng, True)}(0x{v.hexstr(rng, 10)}, {{0x{v.hexstr(rng, 6)}, 0x{v.hexstr(rng, 2)}}})")
        out.append(f"\t/home/dev/{rng.choice(v.PROJECTS)}/{rng.choice(v.DIRS)}/{rng.choice(v.STEMS)}.go:{rng.randint(1, 700)} +0x{v.hexstr(rng, 3)}")
    out += ["main.main()", f"\t/home/dev/{rng.choice(v.PROJECTS)}/cmd/main.go:{rng.randint(10, 90)} +0x{v.hexstr(rng, 2)}",
            f"exit status {rng.choice((2, 1))}"]
    return out


def _rust(rng: random.Random) -> list[str]:
    path = v.module_path(rng, "rs")
    msg = rng.choice((f"called `Result::unwrap()` on an `Err` value: {v.class_name(rng)} {{ kind: {rng.choice(('NotFound', 'PermissionDenied', 'InvalidData'))} }}",
                      "called `Option::unwrap()` on a `None` value", f"index out of bounds: the len is {rng.randint(0, 40)} but the index is {rng.randint(40, 99)}",
                      "attempt to subtract with overflow", f"{rng.choice(v.NOUNS)} must be positive"))
    out = [f"thread '{rng.choice(('main', 'tokio-runtime-worker', 'tests::' + v.snake(rng)))}' panicked at {path}:{rng.randint(1, 600)}:{rng.randint(1, 60)}:",
           msg]
    if rng.random() < 0.5:
        out.append("note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace")
    else:
        out.append("stack backtrace:")
        for i in range(rng.randint(3, 8)):
            out.append(f"  {i:>2}: {rng.choice(v.PROJECTS)}::{rng.choice(v.DIRS)}::{v.snake(rng)}")
            if rng.random() < 0.6:
                out.append(f"             at ./{v.module_path(rng, 'rs')}:{rng.randint(1, 800)}:{rng.randint(1, 50)}")
        out.append("note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.")
    return out


LAYOUTS = (_python, _python, _node, _java, _go, _rust)


def generate_one(rng: random.Random) -> str:
    return "\n".join(rng.choice(LAYOUTS)(rng))
