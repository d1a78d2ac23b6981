"""DataFrame jobs on the SparkSession a context hands over."""

from sparkjobserver.api import SparkJob, build_problems


class RangeCountJob(SparkJob):
    """`range(n).count()`: the smallest useful Spark job, for latency checks."""

    def validate(self, context, runtime, config):
        return int(config.get("n", 100))

    def run_job(self, context, runtime, data):
        return context.range(data).count()


class AggregateJob(SparkJob):
    """Group `rows` generated rows into `groups` buckets and sum them."""

    def validate(self, context, runtime, config):
        rows, groups = int(config.get("rows", 1_000_000)), int(config.get("groups", 10))
        if rows < 0 or groups < 1:
            return build_problems(["rows must be >= 0 and groups >= 1"])
        return rows, groups

    def run_job(self, context, runtime, data):
        rows, groups = data
        frame = context.range(rows).selectExpr(f"id % {groups} AS bucket", "id")
        return frame.groupBy("bucket").sum("id").orderBy("bucket").collect()


class BigResultJob(SparkJob):
    """Returns `rows` strings of `width` characters: a result larger than a DynamoDB item."""

    def validate(self, context, runtime, config):
        return int(config.get("rows", 1000)), int(config.get("width", 1000))

    def run_job(self, context, runtime, data):
        rows, width = data
        return context.range(rows).selectExpr(f"repeat('x', {width}) AS s").collect()
