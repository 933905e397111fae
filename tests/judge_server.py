"""A loopback OpenAI-compatible chat server for judge and model-adapter tests and benchmarks, with seeded faults.

Each request's fate is fixed by hash(seed, request body, how often that body was seen before), so a
schedule replays exactly and a retried request can succeed where its first attempt failed. Judge replies
carry scores derived from the prompt, so the same question always gets the same answer; a model server
(``answer=``) replies with whatever that function makes of the messages, and keeps every request body.

    python tests/judge_server.py --latency 0.2     # serves until killed; prints the port first
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("429", "500", "timeout", "malformed")  # also "garbage" and "html", only when asked for
HTML_PAGE = "<html><body>502 Bad Gateway: upstream glitch</body></html>"
MALFORMED_REPLY = "The prediction is broadly fine; I would rate it quite well overall."


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts``."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def prompt_key(messages: Sequence[dict[str, Any]]) -> str:
    """How the server tells prompts apart: a hash of the full message list."""
    return hashlib.sha256(json.dumps(list(messages), sort_keys=True).encode()).hexdigest()


def expected_scores(prompt: str, keys: Sequence[str], high: int) -> dict[str, int]:
    """The scores the server gives a first-turn prompt (tests compare against these)."""
    return {key: int(_unit(prompt, key) * (high + 1)) for key in keys}


class JudgeServer:
    """The server in a background thread on 127.0.0.1, port chosen by the OS. Use as a context manager.

    fault_rate: share of requests that fail, the kind picked from ``faults``.
    malformed: None, "first" (every first-turn request gets unreadable text; repairs succeed) or "always".
    malformed_if: prompts whose first message contains this text always get unreadable text.
    fail_if: requests whose first message contains this text always get HTTP 500.
    answer: the reply to a request's messages (a model under test) in place of judge scores; every request
        body is then kept in ``bodies``, in arrival order.
    """

    def __init__(
        self,
        *,
        keys: Sequence[str] = ("L1", "L2", "L3"),
        high: int = 5,
        seed: int = 0,
        fault_rate: float = 0.0,
        faults: Sequence[str] = FAULTS,
        latency_s: float = 0.0,
        hang_s: float = 0.5,
        retry_after: str | None = "0",
        malformed: str | None = None,
        malformed_if: str | None = None,
        fail_if: str | None = None,
        answer: Callable[[list[dict[str, Any]]], str] | None = None,
    ) -> None:
        self.keys, self.high, self.seed = tuple(keys), high, seed
        self.fault_rate, self.faults = fault_rate, tuple(faults)
        self.latency_s, self.hang_s, self.retry_after, self.malformed = latency_s, hang_s, retry_after, malformed
        self.malformed_if, self.fail_if = malformed_if, fail_if
        self.answer = answer
        self.bodies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self.total = 0
        self.per_prompt: Counter[str] = Counter()
        self.authorizations: set[str] = set()
        self.in_flight = 0
        self.max_in_flight = 0
        self._httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> JudgeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> JudgeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def reset_counts(self) -> None:
        with self._lock:
            self.total = 0
            self.per_prompt.clear()
            self.bodies.clear()

    def respond(self, body: dict[str, Any]) -> tuple[int, dict[str, str], str, float]:
        """(status, extra headers, reply text or error body, seconds to wait first) for one request."""
        messages = body.get("messages", [])
        key = prompt_key(messages)
        with self._lock:
            attempt = self.per_prompt[key]
            self.per_prompt[key] += 1
            self.total += 1
            if self.answer is not None:
                self.bodies.append(body)
        fault = None
        if _unit(self.seed, key, attempt) < self.fault_rate:
            fault = self.faults[int(_unit(self.seed, key, attempt, "kind") * len(self.faults))]
        if self.fail_if is not None and self.fail_if in str(messages[0].get("content", "")):
            fault = "500"
        first_turn = len(messages) == 1
        marked = self.malformed_if is not None and self.malformed_if in str(messages[0].get("content", ""))
        if marked or self.malformed == "always" or (self.malformed == "first" and first_turn):
            fault = "malformed"
        if fault == "429":
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            return 429, headers, json.dumps({"error": {"message": "rate limited", "type": "rate_limit"}}), 0.0
        if fault == "garbage":  # a broken proxy: success status, body that is not JSON
            return 200, {"X-Raw": "1"}, "<html>upstream glitch</html>", 0.0
        if fault == "html":  # a proxy's error page, served as what it is
            return 200, {"X-Raw": "1", "Content-Type": "text/html"}, HTML_PAGE, 0.0
        if fault == "500":
            return 500, {}, json.dumps({"error": {"message": "internal error", "type": "server_error"}}), 0.0
        delay = self.hang_s if fault == "timeout" else self.latency_s
        if self.answer is not None:
            return 200, {}, self.answer(messages), delay
        if fault == "malformed":
            return 200, {}, MALFORMED_REPLY, delay
        scores = expected_scores(messages[0]["content"], self.keys, self.high)
        # Repaired replies come bare; first-turn ones wrapped the way real judges often do.
        text = json.dumps(scores) if not first_turn else f"Here are the scores:\n```json\n{json.dumps(scores)}\n```"
        return 200, {}, text, delay


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 refuses bursts of connections, which clients see as errors
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that hang up (timeouts, killed runs); they are part of the tests."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(server: JudgeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real endpoints do
        # Headers and body go out as separate writes; with Nagle on, the body waits for the client's
        # delayed ACK (~40 ms), which would swamp a 200 ms benchmark latency.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {}, json.dumps({"error": {"message": "not found"}}))
                return
            with server._lock:
                server.authorizations.add(self.headers.get("Authorization", ""))
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                status, headers, text, delay = server.respond(body)
                if delay:
                    time.sleep(delay)
            finally:
                with server._lock:
                    server.in_flight -= 1
            if status == 200 and "X-Raw" not in headers:
                prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
                text = json.dumps({
                    "id": "chatcmpl-loopback",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", ""),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": len(text.split()),
                        "total_tokens": prompt_tokens + len(text.split()),
                    },
                })
            self._send(status, headers, text)

        def _send(self, status: int, headers: dict[str, str], text: str) -> None:
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: tests and benchmarks read the counters instead

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each reply")
    parser.add_argument("--keys", default="L1,L2,L3")
    parser.add_argument("--high", type=int, default=5)
    args = parser.parse_args()
    serve_until_interrupted(JudgeServer(keys=args.keys.split(","), high=args.high, latency_s=args.latency))


def serve_until_interrupted(server: JudgeServer) -> None:
    """Start ``server``, print its port (for the process that launched this one), serve until interrupted."""
    server.start()
    print(server.url.rsplit(":", 1)[1].split("/")[0], flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
