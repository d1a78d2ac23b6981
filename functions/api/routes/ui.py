"""The web UI: GET / (SJS's index page place) and its static files under /ui/, from functions/api/ui.

The page and its files are open, as the Swagger page: they hold no data. The page's calls to the
API carry the credentials the user gives it, when auth is on. The Content-Security-Policy lets the
page run only its own script and style and talk only to this API, so nothing a job, a name or a
config says can run in it (the script also writes all server text as text)."""

from functools import cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from infra.errors import NotFound

router = Router()

FILES = Path(__file__).parent.parent / "ui"
CONTENT_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@router.get("/", include_in_schema=False)
def index():  # no return annotation: validation would try to model Response
    return _file("index.html")


@router.get("/ui/<name>", include_in_schema=False)
def asset(name: str):
    if name not in CONTENT_TYPES or name == "index.html":
        raise NotFound(f"No UI file {name}")
    return _file(name)


def _file(name: str) -> Response:
    return Response(200, CONTENT_TYPES[name], _read(name), headers=HEADERS)


@cache
def _read(name: str) -> str:
    return (FILES / name).read_text(encoding="utf-8")
