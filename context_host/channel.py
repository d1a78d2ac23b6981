"""One end of a host↔worker socket pair: JSON lines (events/worker_protocol.py), and raw bytes
after a line that announces them. Both ends use it; the host reads with bounds, because a worker
runs job code and may send anything."""

import socket
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

MAX_LINE_BYTES = 1 << 20


class ChannelClosed(Exception):
    """The other end is gone, or sent something that is not the protocol."""


class Channel:
    def __init__(self, sock: socket.socket):
        self._sock = sock
        self._reader = sock.makefile("rb")

    def send(self, message: BaseModel, payload: bytes = b"") -> None:
        try:
            self._sock.sendall(message.model_dump_json().encode() + b"\n" + payload)
        except OSError as e:
            raise ChannelClosed(str(e)) from None

    def receive(self, adapter: TypeAdapter[Any]) -> Any:
        try:
            line = self._reader.readline(MAX_LINE_BYTES)
        except OSError as e:
            raise ChannelClosed(str(e)) from None
        if not line.endswith(b"\n"):
            raise ChannelClosed("closed" if not line else "a line too long or cut short")
        try:
            return adapter.validate_json(line)
        except ValidationError as e:
            raise ChannelClosed(f"not a protocol message: {e.errors()[0]['msg']}") from None

    def receive_bytes(self, count: int) -> bytes:
        try:
            data = self._reader.read(count)
        except OSError as e:
            raise ChannelClosed(str(e)) from None
        if len(data) != count:
            raise ChannelClosed(f"{count - len(data)} bytes short")
        return data

    def close(self) -> None:
        self._reader.close()
        self._sock.close()
