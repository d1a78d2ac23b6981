"""Runs on a schedule (EventBridge Scheduler in AWS, a timer in the local stack): reaps every
context whose host stopped heartbeating, which also fails that context's unfinished jobs, starts
the next incarnation of supervised contexts that failed (functions/domain/supervision.py), deletes
reply queues left by API containers that are gone (Lambda recycles them silently), keeps the warm
pool's spare hosts (functions/domain/pool.py: silent ones dropped, missing ones started), starts the
server config's preloaded contexts that this deployment has never run (functions/domain/preload.py),
and records the gauges of contexts and slots (infra/metrics.py) once the sweep is done.

Invoked by its SQS event source (the `Context Failed` events of supervised contexts that are
RESTARTING, template.yaml ContextRestartingRule), it only starts those again, at once.

Invoked with {"action": "start-preloaded"} (the local stack does once its API is up, as SJS did
when it started; on AWS, an invoke after a deploy does the same), it starts every preloaded
context that is not live. With {"action": "resume", "contexts": [...]} (the local stack, once it
has restored a stopped run's state) it ends what that run left live and starts again the
contexts that ran (functions/domain/resume.py)."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.wiring import services
from infra.metrics import metrics

logger = Logger(service="sjs-reconciler")
tracer = Tracer()

REPLY_QUEUE_MAX_AGE_SECONDS = 6 * 3600  # far longer than an API container keeps a request waiting
START_PRELOADED = "start-preloaded"
RESUME = "resume"


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # results and configs stay out of X-Ray
@metrics.flushed_after
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    svc = services()
    if event.get("action") == START_PRELOADED:
        return {"startedPreloaded": svc.preloads.start()}
    if event.get("action") == RESUME:
        return svc.resumption.resume(event.get("contexts", []))
    if "Records" in event:  # every RESTARTING context is looked at, whichever record told of it
        return {"restarted": svc.supervisor.restart_due()}
    reaped = svc.reaper.sweep()
    if reaped:
        logger.warning("reaped contexts whose hosts stopped responding", extra={"contexts": reaped})
    restarted = svc.supervisor.restart_due()
    swept = svc.replies.sweep(REPLY_QUEUE_MAX_AGE_SECONDS)
    started = svc.preloads.start(only_new=True)
    pool = svc.contexts.pool
    spares = {"reaped": pool.reap(), "started": pool.replenish()} if pool else {"reaped": [], "started": []}
    contexts = svc.overview.live_contexts()
    metrics.gauges(contexts.by_state, contexts.slots_in_use)
    return {
        "reaped": reaped,
        "restarted": restarted,
        "sweptReplyQueues": len(swept),
        "startedPreloaded": started,
        "spares": spares,
    }
