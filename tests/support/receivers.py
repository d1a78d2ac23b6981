"""Real receivers for what the job server sends out: an HTTP server standing in for a user's
callback endpoint, and an EventBridge rule on the project's bus with an SQS queue behind it, as
a user would subscribe."""

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from functions.domain.waiting import wait_until

# The receivers listen on 127.0.0.1, a network the server calls back only when its operator allows it.
LOOPBACK_CALLBACKS = 'limits { callback-allowed-networks = ["127.0.0.0/8", "::1/128"] }'


@dataclass
class CallbackReceiver:
    """Records every POST (its body, and the path and Host it came with); answers each with the
    next of `statuses` (200 once they run out), with a Location header when `location` is set."""

    url: str
    statuses: list[int] = field(default_factory=list)
    location: str | None = None
    received: list[dict[str, Any]] = field(default_factory=list)
    addressed: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, body: dict[str, Any], path: str, host: str) -> int:
        with self._lock:
            self.received.append(body)
            self.addressed.append((path, host))
            return self.statuses.pop(0) if self.statuses else 200

    def wait_for(
        self, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 30
    ) -> list[dict[str, Any]]:
        got, ok = wait_until(lambda: list(self.received), done, timeout)
        assert ok, f"callbacks received so far: {got}"
        return got


@contextmanager
def callback_receiver() -> Iterator[CallbackReceiver]:
    receiver: CallbackReceiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(receiver.answer(body, self.path, self.headers["Host"]))
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = CallbackReceiver(f"http://127.0.0.1:{server.server_address[1]}/hooks/jobs")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class BusSubscription:
    """A user's rule on the project bus, delivering to a queue of its own."""

    sqs: Any
    queue_url: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def wait_for(self, done: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict[str, Any]:
        def poll() -> dict[str, Any] | None:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, WaitTimeSeconds=1, MaxNumberOfMessages=10
            )
            self.events += [json.loads(m["Body"]) for m in messages.get("Messages", [])]
            return next((event for event in self.events if done(event)), None)

        found, ok = wait_until(poll, lambda event: event is not None, timeout)
        assert ok, f"no matching event in {timeout} s; received: {[e['detail-type'] for e in self.events]}"
        return found


def subscribe(events: Any, sqs: Any, bus: str, pattern: dict[str, Any]) -> BusSubscription:
    name = f"user-{uuid.uuid4().hex[:8]}"
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "mine", "Arn": queue_arn}])
    return BusSubscription(sqs, queue_url)
