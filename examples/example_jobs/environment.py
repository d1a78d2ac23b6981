"""A job that reports what it sees of its configuration: its config (with what it falls back
to), its context's config, and the Spark and Hadoop settings of its context."""

from sparkjobserver.api import SparkJob


class EnvironmentJob(SparkJob):
    """`spark-keys` and `hadoop-keys` in the config name the settings to read back."""

    def validate(self, context, runtime, config):
        return config.as_plain_ordered_dict()

    def run_job(self, context, runtime, data):
        spark_context = getattr(context, "sparkContext", context)
        spark_conf = spark_context.getConf()
        hadoop_conf = spark_context._jsc.hadoopConfiguration()
        return {
            "config": data,
            "contextConfig": runtime.contextConfig.as_plain_ordered_dict(),
            "master": spark_context.master,
            "spark": {key: spark_conf.get(key, None) for key in data.get("spark-keys", [])},
            "hadoop": {key: hadoop_conf.get(key) for key in data.get("hadoop-keys", [])},
        }
