"""Jobs to watch while they run: Spark work of several stages, a streaming query, and output."""

import contextlib
import logging
import time
from operator import add

from sparkjobserver.api import SparkJob


class ShuffleJob(SparkJob):
    """Two Spark jobs over one shuffle (the second skips the map stage the first ran), each task
    taking `seconds-per-task`, so the job's progress can be seen to move."""

    def validate(self, context, runtime, config):
        return float(config.get("seconds-per-task", 0.5)), int(config.get("partitions", 4))

    def run_job(self, context, runtime, data):
        pause, partitions = data
        spark_context = getattr(context, "sparkContext", context)
        counts = (
            spark_context.parallelize(range(1000), partitions)
            .map(lambda x: time.sleep(pause / 250) or (x % 10, 1))
            .reduceByKey(add, partitions)
        )
        by_key = dict(counts.collect())
        return {"keys": len(by_key), "total": sum(by_key.values()), "count": counts.count()}


def rate_query(session, rows_per_second: int, name: str | None = None):
    """A streaming query from Spark's rate source to nowhere, a batch every 200 ms."""
    writer = session.readStream.format("rate").option("rowsPerSecond", rows_per_second).load().writeStream
    if name:
        writer = writer.queryName(name)
    return writer.format("noop").trigger(processingTime="200 milliseconds").start()


class RateStreamJob(SparkJob):
    """A streaming query on Spark's rate source, run until it has done `batches` batches."""

    def validate(self, context, runtime, config):
        return int(config.get("batches", 3)), float(config.get("timeout-seconds", 120))

    def run_job(self, context, runtime, data):
        batches, timeout = data
        query = rate_query(context, rows_per_second=50)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                done = query.lastProgress
                if done and done["batchId"] + 1 >= batches:
                    return {"batches": done["batchId"] + 1}
                time.sleep(0.1)
            raise TimeoutError(f"fewer than {batches} batches in {timeout} s")
        finally:
            query.stop()


class ChattyJob(SparkJob):
    """Prints and logs `lines` lines marked with `marker`, `interval` seconds apart."""

    def validate(self, context, runtime, config):
        return (
            str(config.get("marker", runtime.jobId)),
            int(config.get("lines", 5)),
            float(config.get("interval", 0.1)),
        )

    def run_job(self, context, runtime, data):
        marker, lines, interval = data
        logger = logging.getLogger("chatty")
        for i in range(lines):
            print(f"{marker} print {i}")
            logger.info("%s log %d", marker, i)
            time.sleep(interval)
        return lines


class EndlessStreamJob(SparkJob):
    """A streaming query on Spark's rate source, named `name`, that the job leaves running: it
    waits on the query for ever, or with `fail = true` fails once the query has run a batch."""

    def validate(self, context, runtime, config):
        return str(config.get("name", f"endless_{runtime.jobId.replace('-', '_')}")), bool(
            config.get("fail", False)
        )

    def run_job(self, context, runtime, data):
        name, fail = data
        query = rate_query(context, rows_per_second=10, name=name)
        while fail and not query.lastProgress:
            time.sleep(0.05)
        if fail:
            raise RuntimeError(f"failing with query {name} still running")
        query.awaitTermination()
        return name


class ActiveQueriesJob(SparkJob):
    """The names of the streaming queries running on the context's session now."""

    def validate(self, context, runtime, config):
        return None

    def run_job(self, context, runtime, data):
        return sorted(query.name or query.id for query in context.streams.active)


class SparkWarningJob(SparkJob):
    """Work Spark warns about, on the job's own thread and in its tasks: a DataFrame cached twice
    (CacheManager's WARN) and a task that fails (the executor's ERROR), which the job survives."""

    def validate(self, context, runtime, config):
        return str(config.get("marker", runtime.jobId))

    def run_job(self, context, runtime, data):
        frame = context.range(10)
        frame.cache()
        frame.cache()  # Spark: "Asked to cache already cached data."

        def fail(x):
            raise ValueError(f"{data} failing task")

        with contextlib.suppress(Exception):  # the failure is Spark's to log; the job goes on
            context.sparkContext.parallelize([1], 1).map(fail).collect()
        frame.unpersist()
        return data
