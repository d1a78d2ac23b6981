"""An HTTP server on 127.0.0.1 standing in for a team's package repository: it serves the files
put in its folder, at `<url>/packages/<name>`, for package URIs in jobs' paths."""

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PackageServer:
    root: Path  # files here are served under <url>/packages/
    url: str

    @property
    def prefix(self) -> str:
        return f"{self.url}/packages/"

    def publish(self, name: str, data: bytes) -> str:
        """Serve `data` as `name`; its URL."""
        (self.root / "packages" / name).write_bytes(data)
        return self.prefix + name


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def package_server(root: Path) -> Iterator[PackageServer]:
    (root / "packages").mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="package-server", daemon=True)
    thread.start()
    try:
        yield PackageServer(root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
