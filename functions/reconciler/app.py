"""Runs on a schedule (EventBridge Scheduler in AWS, a timer in the local stack): reaps every
context whose host stopped heartbeating, which also fails that context's unfinished jobs, and
deletes reply queues left by API containers that are gone (Lambda recycles them silently)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.wiring import services

logger = Logger(service="sjs-reconciler")

REPLY_QUEUE_MAX_AGE_SECONDS = 6 * 3600  # far longer than an API container keeps a request waiting


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    svc = services()
    reaped = svc.reaper.sweep()
    if reaped:
        logger.warning("reaped contexts whose hosts stopped responding", extra={"contexts": reaped})
    swept = svc.replies.sweep(REPLY_QUEUE_MAX_AGE_SECONDS)
    return {"reaped": reaped, "sweptReplyQueues": len(swept)}
