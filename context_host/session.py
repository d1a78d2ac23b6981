"""Build a context's SparkSession from its settings, and the object its jobs receive."""

from typing import Any

from pyspark.sql import SparkSession, SQLContext

from events.settings import ContextFlavour, ContextSettings

# A job server runs several jobs at once on one context; FAIR keeps a small job from waiting
# behind a large one. Users can override any of these with spark.* settings.
DEFAULTS = {
    "spark.scheduler.mode": "FAIR",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
}


def build_session(app_name: str, settings: ContextSettings, master: str = "") -> SparkSession:
    builder = SparkSession.builder.appName(app_name).master(master or f"local[{settings.numCpuCores}]")
    conf = dict(DEFAULTS)
    if settings.memoryPerNode:
        conf["spark.executor.memory"] = settings.memoryPerNode
    if master.startswith("spark://"):
        conf["spark.cores.max"] = str(settings.numCpuCores)
    conf.update(settings.sparkConf)
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def job_context(session: SparkSession, flavour: ContextFlavour) -> Any:
    if flavour is ContextFlavour.SPARK_CONTEXT:
        return session.sparkContext
    if flavour is ContextFlavour.SQL_CONTEXT:
        return SQLContext(session.sparkContext, session)
    return session
