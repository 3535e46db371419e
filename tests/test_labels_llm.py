"""The optional LLM teacher against a local fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tersify.errors import TersifyError
from tersify_train.labels.llm import LLMTeacher

ANSWERS = {
    "The job has failed with exit code 137 after 12s.": "job failed exit code after 12s.",  # drops 137
    "Disk is full.": "The disk seems completely full!",  # a paraphrase
}


class FakeChat(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/v1/chat/completions" and body["temperature"] == 0
        text = body["messages"][-1]["content"]
        if text not in ANSWERS:
            self.send_response(500)
            self.end_headers()
            return
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": ANSWERS[text]}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeChat)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def test_answer_is_aligned_and_must_keep_restored(server):
    teacher = LLMTeacher(server, "fake", api_key="k")
    ref = teacher.teach("The job has failed with exit code 137 after 12s.")
    assert ref == "job failed exit code 137 after 12s."


def test_paraphrase_rejected(server):
    with pytest.raises(TersifyError, match="not extractive"):
        LLMTeacher(server, "fake").teach("Disk is full.")


def test_server_error_is_one_line(server):
    with pytest.raises(TersifyError, match="LLM teacher at"):
        LLMTeacher(server, "fake").teach("unknown text")
