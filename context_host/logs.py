"""The host's log: one JSON object a line (Powertools' formatter, which works outside Lambda too),
every line naming the context and its incarnation, and the lines a runner thread writes while it
runs a job naming that job; so one context's or one job's lines are a filter away (CloudWatch Logs
Insights on AWS, `jq 'select(.jobId == "…")' .sjs/logs/<context>.log` locally).

Job code's own output and Spark's JVM log stay as they are written."""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "sjs-host"
_formatter = LambdaPowertoolsFormatter(utc=True, use_rfc3339=True, serialize_stacktrace=False)


def configure(context: str, context_id: str) -> None:
    """Every logger of the process writes JSON lines to stderr (the awslogs driver on AWS, the
    context's log file locally)."""
    _formatter.append_keys(service=SERVICE, name="%(name)s", context=context, contextId=context_id)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter)
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    sys.excepthook = _log_uncaught  # a failure that ends the host is a JSON line too


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    logging.getLogger("context_host").critical("the host failed", exc_info=(kind, error, trace))


@contextmanager
def job_keys(job_id: str) -> Iterator[None]:
    """What this thread logs meanwhile carries `jobId` (the keys live in a context variable, so
    other threads' lines do not)."""
    _formatter.thread_safe_append_keys(jobId=job_id)
    try:
        yield
    finally:
        _formatter.thread_safe_remove_keys(["jobId"])
