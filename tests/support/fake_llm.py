"""A local OpenAI-compatible chat-completions server for rewriter tests.

It speaks the real protocol (POST /v1/chat/completions, bearer auth, a
`choices[0].message.content` answer) and plays a script: each request takes
the next scripted reply, or, with a ``responder``, the reply it computes from
the request. Every request body is kept for assertions.

``NONSENSE`` holds answers a small instruct model really gives: valid JSON
for the answer schema whose meaning is wrong for its prompt (counted phrases
as one object, places and camera words as objects, colours and moves the
prompt never names, adjectives in names).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay: float = 0.0


# prompt -> schema-valid answer that misreads it
NONSENSE: dict[str, dict] = {
    # The reply from a small Qwen2.5 instruct model behind llama-server.
    "a yellow taxi and four grey pigeons in front of a train station in the rain, crane up": {
        "objects": [{"name": "yellow taxi"}, {"name": "four grey pigeons"}, {"name": "train station"},
                    {"name": "rain"}, {"name": "crane up"}],
        "camera_animation": "zoom_in"},
    "a boat on a calm lake, slow orbit": {
        "objects": [{"name": "boat", "color": "purple", "scale": "huge"}, {"name": "lake", "count": 2}],
        "camera_animation": "pan_right", "background": "a sleek modern marina at dusk"},
    "three red apples on a wooden table": {
        "objects": [{"name": "three red apples"}, {"name": "table", "material": "glass", "relation":
                                                   {"kind": "under", "target": 0}}],
        "floor": "shiny chrome tiles", "framing": "closeup"},
    "a cat curled up on a cushion, close-up": {
        "objects": [{"name": "fluffy ginger cat", "count": 3}, {"name": "close up"},
                    {"name": "cushion", "movement": {"direction": "left"}}],
        "camera_animation": "orbit_left"},
}


@dataclass
class FakeChatServer:
    api_key: str = "test-key"
    script: list[Reply] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    responder: Callable[[dict], Reply] | None = None

    def __enter__(self) -> "FakeChatServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                if self.path != "/v1/chat/completions":
                    return self._send(404, {"error": {"message": "not found"}})
                if self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    return self._send(401, {"error": {"message": "invalid api key"}})
                if server.responder is not None:
                    reply = server.responder(body)
                else:
                    reply = server.script.pop(0) if server.script else Reply(status=500)
                time.sleep(reply.delay)
                if reply.status != 200:
                    return self._send(reply.status, {"error": {"message": "scripted failure"}})
                self._send(200, {
                    "id": "chatcmpl-test", "object": "chat.completion", "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": reply.content}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                })

            def _send(self, status, payload):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/v1"
