"""SJS's callbackUrl: when a job that asked for one ends, POST {"jobId", "status", "result"} to it.

Driven by the job's end event (functions/callbacks), never by the host, so a slow or dead
receiver costs a job nothing. The payload comes from the job's record, the truth, and its
"result" is what GET /jobs/{id} shows: the value, or the error. A few quick retries with backoff
happen here (urllib3's Retry); after that the event fails, SQS delivers it again after the
queue's visibility timeout, and after a few such rounds it lands in the dead-letter queue.

The URL's host is resolved again at each delivery and the POST goes to an address that passed
the check (functions/domain/callback_targets.py), with the URL's host name kept for the Host
header and TLS; redirects are not followed (a 3xx counts as a failed delivery)."""

import json
import logging
from dataclasses import dataclass

import urllib3

from events.lifecycle import JobEndEvent
from functions.domain.callback_targets import CallbackTarget, CallbackTargets
from functions.domain.jobs import JobService
from infra.errors import CallbackRefused, NoSuchJob

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
    targets: CallbackTargets

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
            response = _post(self.targets.resolve(record.callbackUrl), json.dumps(body).encode())
        except (CallbackRefused, urllib3.exceptions.HTTPError) as e:
            raise CallbackFailed(
                f"callback for job {record.jobId} to {record.callbackUrl} failed: {e}"
            ) from e
        if response.status >= 300:
            raise CallbackFailed(
                f"callback for job {record.jobId} to {record.callbackUrl} answered {response.status}"
            )
        return True


def _post(target: CallbackTarget, body: bytes) -> urllib3.BaseHTTPResponse:
    """POST to the first of the target's checked addresses that takes a connection."""
    *others, last = target.addresses
    for address in others:
        try:
            return _post_to(target, address, body)
        except urllib3.exceptions.MaxRetryError as e:
            if not isinstance(e.reason, urllib3.exceptions.NewConnectionError):
                raise
    return _post_to(target, last, body)


def _post_to(target: CallbackTarget, address: str, body: bytes) -> urllib3.BaseHTTPResponse:
    with _pool_for(target, address) as pool:
        return pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={"Content-Type": "application/json", "Host": target.host_header},
            retries=RETRY,
            redirect=False,
        )


def _pool_for(target: CallbackTarget, address: str) -> urllib3.HTTPConnectionPool:
    """A connection pool to a checked address; HTTPS still verifies the URL's host name."""
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address, target.port, timeout=TIMEOUT, server_hostname=target.host, assert_hostname=target.host
        )
    return urllib3.HTTPConnectionPool(address, target.port, timeout=TIMEOUT)
