"""The API's OpenAPI description (served at /swagger, `?format=json` for the document).

Powertools builds it from the routes: parameters from their signatures, and `summary`, `tags` and
`responses=` (models from functions/api/models.py, with examples) from their decorators. This module
holds what routes share in it: SJS's error answers, the auth answers, and the raw request bodies,
declared with `openapi_extensions` because the routes read bodies as bytes (packages) or HOCON text
(configs), which Powertools' `Body()` would parse as JSON.

One correction is made after Powertools: with validation on it documents a 422 with its own error
model on every operation, and has no switch to leave it out, while this API answers an invalid
request 400 in SJS's shape (functions/api/errors.py). `DescribedResolver` drops that 422 and its
schemas as the document is built, so the page and the JSON both tell what the server does."""

import copy
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import OpenAPI
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from functions.api.models import ErrorAnswer

JSON = "application/json"
POWERTOOLS_VALIDATION_STATUS = 422
POWERTOOLS_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")

Responses = dict[int, OpenAPIResponse]


class DescribedResolver(APIGatewayHttpResolver):
    """Powertools' HTTP API resolver whose OpenAPI document leaves out the 422 it never sends."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPI:
        schema = super().get_openapi_schema(**kwargs)
        for item in (schema.paths or {}).values():
            for operation in (item.get, item.put, item.post, item.delete, item.patch):
                if operation is not None and operation.responses:
                    operation.responses.pop(POWERTOOLS_VALIDATION_STATUS, None)
        if schema.components is not None and schema.components.schemas:
            for name in POWERTOOLS_VALIDATION_SCHEMAS:
                schema.components.schemas.pop(name, None)
        return schema


def success(status: int, model: Any, description: str, **examples: Any) -> Responses:
    """The answer of a call that worked: its model, and named examples of its body."""
    return {
        status: {
            "description": description,
            "content": {JSON: {"model": model, "examples": _named(examples)}},
        }
    }


def failure(status: int, description: str, **examples: str | dict[str, Any]) -> Responses:
    """An SJS-shaped error answer. An example is the `result` text of an ERROR, or a whole body."""
    bodies = {
        name: example if isinstance(example, dict) else {"status": "ERROR", "result": example}
        for name, example in examples.items()
    }
    return {
        status: {
            "description": description,
            "content": {JSON: {"model": ErrorAnswer, "examples": _named(bodies)}},
        }
    }


def _named(examples: dict[str, Any]) -> dict[str, Any]:
    return {name: {"summary": name.replace("_", " "), "value": value} for name, value in examples.items()}


# Every route but /healthz and the pages, when auth is on (functions/api/auth).
GUARDED: Responses = failure(
    401,
    "No credentials, or wrong ones (auth on): HTTP Basic or `Authorization: Bearer <api key>`",
    no_credentials="Authentication required: HTTP Basic credentials or Authorization: Bearer <api key>",
) | failure(
    403,
    "The caller lacks the route's permission, or names a context outside their prefixes",
    lacks_permission="User reader lacks the permission binaries:upload",
)

TOO_LARGE = failure(
    413,
    "Body over `limits.max-body-bytes` (6 MiB by default): use the presigned upload",
    too_large="Request body larger than 6291456 bytes (limits.max-body-bytes); "
    "upload a larger package through POST /binaries/{appName}/uploads",
)

PACKAGE_TYPES = (
    "application/octet-stream",
    "application/java-archive",
    "application/python-egg",
    "application/python-wheel",
    "application/python-archive",
)


def bytes_request(description: str, media_types: tuple[str, ...] = PACKAGE_TYPES) -> dict[str, Any]:
    """A request body of raw bytes (`curl --data-binary @file`), for `openapi_extensions`."""
    schema = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {media_type: {"schema": schema} for media_type in media_types},
        }
    }


def config_request(description: str, hocon: str, as_json: dict[str, Any]) -> dict[str, Any]:
    """An optional HOCON (or JSON) config body, for `openapi_extensions`."""
    return {
        "requestBody": {
            "required": False,
            "description": f"{description} HOCON or JSON; `include` and `${{ENV}}` are refused.",
            "content": {
                "text/plain": {"schema": {"type": "string"}, "example": hocon},
                JSON: {"schema": {"type": "object"}, "example": as_json},
            },
        }
    }


def answers(*parts: Responses) -> Responses:
    """The responses of one route; parts that share a status (a route's 403 beside the auth 403)
    become one response with both descriptions and all examples."""
    merged: Responses = {}
    for part in parts:
        for status, response in part.items():
            if status not in merged:
                merged[status] = copy.deepcopy(response)
                continue
            known = merged[status]
            known["description"] = f"{known['description']}; or: {response['description']}"
            known["content"][JSON]["examples"].update(response["content"][JSON]["examples"])
    return merged
