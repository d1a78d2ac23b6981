"""SJS's callbackUrl: when a job that asked for one ends, POST {"jobId", "status", "result"} to it.

Driven by the job's end event (functions/callbacks), never by the host, so a slow or dead
receiver costs a job nothing. The payload comes from the job's record, the truth, and its
"result" is what GET /jobs/{id} shows: the value, or the error. A few quick retries with backoff
happen here (urllib3's Retry); after that the event fails, SQS delivers it again after the
queue's visibility timeout, and after a few such rounds it lands in the dead-letter queue."""

import json
import logging
from dataclasses import dataclass, field

import urllib3

from events.lifecycle import JobEndEvent
from functions.domain.jobs import JobService
from infra.errors import NoSuchJob

log = logging.getLogger(__name__)

TIMEOUT = urllib3.Timeout(connect=3.0, read=10.0)
RETRY = urllib3.Retry(
    total=3,
    backoff_factor=0.5,  # 0.5 s, 1 s, 2 s between the attempts
    status_forcelist=(408, 429, 500, 502, 503, 504),
    allowed_methods=None,  # POST too: receivers key on jobId, so a repeat is harmless
    raise_on_status=False,
)


class CallbackFailed(Exception):
    pass


@dataclass
class CallbackService:
    jobs: JobService
    _http: urllib3.PoolManager = field(
        default_factory=lambda: urllib3.PoolManager(timeout=TIMEOUT, retries=RETRY)
    )

    def deliver(self, event: JobEndEvent) -> bool:
        """POST the job's end to its callbackUrl; False when it asked for none (or is gone)."""
        try:
            record = self.jobs.jobs.get(event.jobId)
        except NoSuchJob:
            log.warning("job %s of a %s event is gone; no callback", event.jobId, event.DETAIL_TYPE)
            return False
        if not record.callbackUrl:
            return False
        body = {"jobId": record.jobId, "status": record.status.value, "result": self.jobs.outcome(record)}
        try:
            response = self._http.request(
                "POST",
                record.callbackUrl,
                body=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
        except urllib3.exceptions.HTTPError as e:
            raise CallbackFailed(
                f"callback for job {record.jobId} to {record.callbackUrl} failed: {e}"
            ) from e
        if response.status >= 300:
            raise CallbackFailed(
                f"callback for job {record.jobId} to {record.callbackUrl} answered {response.status}"
            )
        return True
