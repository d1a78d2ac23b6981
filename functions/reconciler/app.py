"""Runs on a schedule (EventBridge Scheduler in AWS, a timer in the local stack): reaps every
context whose host stopped heartbeating, which also fails that context's unfinished jobs."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.wiring import services

logger = Logger(service="sjs-reconciler")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    reaped = services().reaper.sweep()
    if reaped:
        logger.warning("reaped contexts whose hosts stopped responding", extra={"contexts": reaped})
    return {"reaped": reaped}
