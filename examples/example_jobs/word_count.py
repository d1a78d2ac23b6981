"""The classic: count the words of `input.strings`, or of a data file (`input.file`, the path a
POST /data upload answered)."""

from sparkjobserver.api import SparkJob, build_problems


class WordCountSparkJob(SparkJob):
    def validate(self, context, runtime, config):
        strings = config.get("input.strings", None)
        if not strings:
            return build_problems(["config input.strings not found"])
        return strings

    def run_job(self, context, runtime, data):
        spark_context = getattr(context, "sparkContext", context)
        return spark_context.parallelize(data).countByValue()


# SJS's examples name the session flavour of the job so (python-sjsclient's functional tests run it);
# an alias is found like a class.
WordCountSparkSessionJob = WordCountSparkJob


class WordCountFileJob(SparkJob):
    def validate(self, context, runtime, config):
        return config.get("input.file", None) or build_problems(["config input.file not found"])

    def run_job(self, context, runtime, path):
        spark_context = getattr(context, "sparkContext", context)
        return spark_context.textFile(path).flatMap(str.split).countByValue()
