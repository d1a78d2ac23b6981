"""Job results: inline in the job's DynamoDB item when small, in S3 under results/ when not.

DynamoDB items stop at 400 KB; SJS silently dropped large results, this keeps every byte. The inline
limit also keeps an inline result small enough for a Job Finished event (EventBridge takes 256 KB),
so the event carries the result exactly when the item does, and an S3 location otherwise."""

from infra.aws import client

INLINE_LIMIT_BYTES = 200_000
PREFIX = "results/"


class ResultStore:
    def __init__(self, bucket: str):
        self._bucket = bucket
        self._s3 = client("s3")

    def save(self, context: str, job_id: str, result_json: bytes) -> tuple[str | None, str | None]:
        """(inline JSON, None) or (None, S3 key). Large results are kept under their context's
        prefix, which is all of results/ a context's host may write (template.yaml)."""
        if len(result_json) <= INLINE_LIMIT_BYTES:
            return result_json.decode(), None
        key = f"{PREFIX}{context}/{job_id}.json"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=result_json, ContentType="application/json")
        return None, key

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self._bucket, Key=key)

    def load(self, key: str) -> str:
        return self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read().decode()
