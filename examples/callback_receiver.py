"""A callbackUrl to try the job server's callbacks with: prints every JSON body POSTed to it.

    python -m examples.callback_receiver 9000
then submit a job with `callbackUrl=http://127.0.0.1:9000/jobs`."""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class PrintBody(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        print(json.dumps(json.loads(body)), flush=True)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:  # the body is the line worth printing
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 9000
    print(f"printing callbacks POSTed to http://127.0.0.1:{port}/", flush=True)
    HTTPServer(("127.0.0.1", port), PrintBody).serve_forever()
