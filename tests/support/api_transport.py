"""An httpx transport that hands each request to the API function in this process, as API
Gateway would: the typed client and `sjs` are tested against the real handler, on moto."""

import base64

import httpx

from infra.local.api_gateway import api_gateway_event
from infra.local.lambda_runtime import LocalLambdaContext


def api_function_transport() -> httpx.MockTransport:
    from functions.api.app import lambda_handler  # imported once the test's AWS is up

    def handle(request: httpx.Request) -> httpx.Response:
        event = api_gateway_event(
            request.method, request.url.raw_path.decode(), dict(request.headers), request.read(), "127.0.0.1"
        )
        answer = lambda_handler(event, LocalLambdaContext("ApiFunction", "test"))
        body = answer.get("body") or ""
        content = base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode()
        return httpx.Response(answer["statusCode"], headers=answer.get("headers") or {}, content=content)

    return httpx.MockTransport(handle)
