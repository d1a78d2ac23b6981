"""Jobs that exercise the server's handling of slow, failing and stateful work."""

import time

from sparkjobserver.api import SparkJob


class SlowJob(SparkJob):
    """A Spark job of `seconds` seconds that a kill can cancel."""

    def validate(self, context, runtime, config):
        return float(config.get("seconds", 30))

    def run_job(self, context, runtime, data):
        spark_context = getattr(context, "sparkContext", context)
        slices = 4
        per_task = data / 100
        return (
            spark_context.parallelize(range(100), slices)
            .map(lambda x: time.sleep(per_task * slices) or x)
            .sum()
        )


class FailingJob(SparkJob):
    def validate(self, context, runtime, config):
        return config.get("message", "deliberate failure")

    def run_job(self, context, runtime, data):
        raise ValueError(data)


class FailingValidationJob(SparkJob):
    def validate(self, context, runtime, config):
        raise RuntimeError("validate blew up")

    def run_job(self, context, runtime, data):
        return "never"


class ContextTypeJob(SparkJob):
    """Returns what the job was handed as `context` and the context's config, for factory checks."""

    def validate(self, context, runtime, config):
        return None

    def run_job(self, context, runtime, data):
        return {"context": type(context).__name__, "jobId": runtime.jobId}


class CachedTotalJob(SparkJob):
    """Keeps a DataFrame as a named object; the second run finds it already there."""

    def validate(self, context, runtime, config):
        return config.get("name", "numbers")

    def run_job(self, context, runtime, data):
        known = data in runtime.namedObjects.get_names()
        frame = runtime.namedObjects.get_or_else_create(data, lambda: context.range(1000))
        return {"reused": known, "total": frame.groupBy().sum("id").collect()[0][0]}


class SpinJob(SparkJob):
    """Pure Python work that never calls Spark: only ending its process stops it."""

    def validate(self, context, runtime, config):
        return float(config.get("seconds", 600))

    def run_job(self, context, runtime, data):
        deadline = time.monotonic() + data
        spins = 0
        while time.monotonic() < deadline:
            spins += 1
        return spins


class SleepJob(SparkJob):
    """A blocking call (time.sleep) that no Spark cancel reaches."""

    def validate(self, context, runtime, config):
        return float(config.get("seconds", 600))

    def run_job(self, context, runtime, data):
        time.sleep(data)
        return data
