"""Jobs' own logs (context_host/job_output.py) in the stack's bucket, one object per job under
logs/<context>/, written by the job's host only: all of logs/ a host may write is its own
context's (template.yaml), and job code holds no AWS credentials at all. They expire with the
job records (the bucket's lifecycle rule)."""

from botocore.exceptions import ClientError

from infra.aws import client, error_code

PREFIX = "logs/"


class JobLogStore:
    def __init__(self, bucket: str):
        self._bucket = bucket
        self._s3 = client("s3")

    @staticmethod
    def key(context: str, job_id: str) -> str:
        return f"{PREFIX}{context}/{job_id}.log"

    def save(self, context: str, job_id: str, text: bytes) -> None:
        self._s3.put_object(
            Bucket=self._bucket,
            Key=self.key(context, job_id),
            Body=text,
            ContentType="text/plain; charset=utf-8",
        )

    def load(self, context: str, job_id: str) -> str:
        """The job's log; empty when it has written nothing (yet)."""
        try:
            found = self._s3.get_object(Bucket=self._bucket, Key=self.key(context, job_id))
        except ClientError as e:
            if error_code(e) in ("404", "NoSuchKey", "NotFound"):
                return ""
            raise
        return found["Body"].read().decode(errors="replace")
