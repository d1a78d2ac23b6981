"""A job's own log as GET /jobs/{id}/logs shows it: the lines its host kept (context_host/
job_output.py; while it runs, as of the host's last save, at most a sampling period old), each
`<ISO time> <text>`, with `since` (an ISO time, or how many lines the caller has already read)
and `tail` (the last N of those) applied."""

from dataclasses import dataclass
from datetime import datetime

from infra.errors import BadRequest
from infra.stores.job_logs import JobLogStore
from infra.stores.jobs import JobRecord


@dataclass(frozen=True)
class JobLogs:
    store: JobLogStore

    def lines(self, job: JobRecord, tail: int | None = None, since: str | None = None) -> list[str]:
        lines = self.store.load(job.context, job.jobId).splitlines()
        if since is not None:
            lines = _since(lines, since)
        return lines[-tail:] if tail else lines


def _since(lines: list[str], since: str) -> list[str]:
    if since.isdigit():
        return lines[int(since) :]
    try:
        moment = datetime.fromisoformat(since)
    except ValueError:
        raise BadRequest(f"since must be an ISO 8601 time or a number of lines, not {since!r}") from None
    if moment.tzinfo is None:
        raise BadRequest(f"since must name its time zone (e.g. Z or +00:00): {since!r}")
    return [line for line in lines if _stamp(line) >= moment]


def _stamp(line: str) -> datetime:
    return datetime.fromisoformat(line.split(" ", 1)[0])
