"""Deploy by upload: S3 notifications of objects under binaries/<appName>/<file> (through the
deploy queue, a Lambda SQS event source) become new versions of <appName>, or are moved aside
and reported (functions/domain/binaries.py).

Keys arrive URL-encoded. S3 may deliver one notification twice (it promises at least once), so each
is deployed once, keyed by (bucket, key, eTag, sequencer, eventTime) with Powertools Idempotency;
uploading the same file again is a new event, and a new version, as over the API. A record
that fails is reported back (partial batch response) and comes again; after a few tries the
deploy queue moves it to the dead-letter queue."""

from functools import cache
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from events.notifications import DropNotification, DropQueueRecord
from functions.wiring import services
from infra.metrics import metrics

logger = Logger(service="sjs-deploy")
tracer = Tracer()
# A batch that failed whole is answered like a partial failure: the same retry, without an error.
processor = BatchProcessor(
    event_type=EventType.SQS, model=DropQueueRecord, raise_on_entire_batch_failure=False
)
idempotency = IdempotencyConfig(
    event_key_jmespath="[bucket, key, eTag, sequencer, eventTime]", expires_after_seconds=86400
)


@cache
def _deploy_once():
    """The idempotent deploy, made on first use: its table's name comes from the environment."""
    store = DynamoDBPersistenceLayer(table_name=services().settings.idempotency_table)

    @idempotent_function(data_keyword_argument="dropped", persistence_store=store, config=idempotency)
    def deploy(dropped: dict[str, Any]) -> dict[str, Any] | None:
        told = services().binaries.deploy(dropped["key"])
        if told is not None:
            logger.info(told.DETAIL_TYPE, extra={"key": dropped["key"], **told.model_dump(mode="json")})
        return told.model_dump(mode="json") if told else None

    return deploy


def record_handler(record: DropQueueRecord) -> None:
    if not isinstance(record.body, DropNotification):
        return  # s3:TestEvent
    for notification in record.body.Records:
        s3 = notification.s3
        if s3.object is None:
            continue
        dropped = {
            "bucket": s3.bucket.name,
            "key": unquote_plus(s3.object.key),
            "eTag": s3.object.eTag,
            "sequencer": s3.object.sequencer,
            "eventTime": notification.eventTime.isoformat(),
        }
        _deploy_once()(dropped=dropped)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # results and configs stay out of X-Ray
@metrics.flushed_after
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
