"""A worker joins its context's JVM as a pyspark driver of its own: the SparkContext and the
SparkSession the host created there, wrapped for this process, and the object jobs receive.

As in SJS's python subprocess, a job that defines `build_context(gateway, jvmContext, sparkConf)`
gets what that returns (when not None) instead: it wraps the JVM object of the context's flavour
(a JavaSparkContext, SQLContext or SparkSession) in a Python class of its own."""

import operator
import warnings
from dataclasses import dataclass
from typing import Any

from py4j.clientserver import ClientServer, JavaParameters, PythonParameters
from py4j.java_gateway import java_import
from pyspark import SparkConf, SparkContext
from pyspark.sql import HiveContext, SparkSession, SQLContext
from pyspark.sql import functions as F

from events.settings import ContextFlavour
from events.worker_protocol import WARM_UP_JOB_ID, JoinEngine

SESSION_CLASS = "org.apache.spark.sql.classic.SparkSession"
# What pyspark's own gateway launcher imports into the JVM view; pyspark's modules rely on them.
JVM_IMPORTS = (
    "org.apache.spark.SparkConf",
    "org.apache.spark.api.java.*",
    "org.apache.spark.api.python.*",
    "org.apache.spark.ml.python.*",
    "org.apache.spark.mllib.api.python.*",
    "org.apache.spark.resource.*",
    "org.apache.spark.sql.Encoders",
    "org.apache.spark.sql.OnSuccessCall",
    "org.apache.spark.sql.functions",
    "org.apache.spark.sql.classic.*",
    "org.apache.spark.sql.api.python.*",
    "org.apache.spark.sql.hive.*",
    "scala.Tuple2",
)
PROGRESS_TAG_PREFIX = "sjs-job-"  # jvm/host JobProgress.TAG_PREFIX: the host reads progress by this tag
JOB_TAGS = "spark.job.tags"  # SparkContext.SPARK_JOB_TAGS, the local property Spark keeps a thread's tags in
JOB_GROUP_PROPERTIES = ("spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel")


@dataclass(frozen=True)
class JoinedEngine:
    session: SparkSession
    scheduler_pool: str


def join_engine(join: JoinEngine) -> JoinedEngine:
    # A client server pins each Python thread to a JVM thread, so job groups and local
    # properties set here apply to this worker's Spark work only (pyspark's default, too).
    gateway = ClientServer(
        java_parameters=JavaParameters(
            port=join.gatewayPort, auth_token=join.gatewaySecret, auto_convert=True
        ),
        python_parameters=PythonParameters(port=0, eager_load=False),
    )
    for name in JVM_IMPORTS:
        java_import(gateway.jvm, name)
    jsession = getattr(gateway.jvm, SESSION_CLASS).getDefaultSession().get()
    jsc = gateway.jvm.org.apache.spark.api.java.JavaSparkContext(jsession.sparkContext())
    conf = SparkConf(_jvm=gateway.jvm, _jconf=jsession.sparkContext().conf())
    sc = SparkContext(gateway=gateway, jsc=jsc, conf=conf)
    session = SparkSession(sc, jsparkSession=jsession)
    return JoinedEngine(session, join.schedulerPool)


def progress_tag(job_id: str) -> str:
    return PROGRESS_TAG_PREFIX + job_id


def warm_up(session: SparkSession) -> None:
    """Run Spark's first jobs before any job does. A fresh JVM spends seconds on its first
    DataFrame query, its first aggregation and its first Python task (class loading, code
    generation, starting the executors' Python daemon): measured 3.2 / 1.3 / 2.0 s against
    0.1-0.4 s once warm. A warm pool's spare pays that before it is ready, not its first job."""
    sc = session.sparkContext
    sc.setJobGroup(WARM_UP_JOB_ID, "warming up the session")
    sc.setLocalProperty(JOB_TAGS, progress_tag(WARM_UP_JOB_ID))  # its host then reads its progress once
    try:
        session.range(10).count()
        session.range(100).groupBy((F.col("id") % 3).alias("k")).agg(F.sum("id")).collect()
        sc.parallelize([("a", 1), ("b", 1)] * 2, 2).reduceByKey(operator.add).collect()
    finally:
        for key in (*JOB_GROUP_PROPERTIES, JOB_TAGS):
            sc.setLocalProperty(key, None)  # null removes it in the JVM


def job_context(session: SparkSession, flavour: ContextFlavour) -> Any:
    """What a job's `context` argument is: a SparkSession, SparkContext, SQLContext or HiveContext."""
    if flavour is ContextFlavour.SPARK_CONTEXT:
        return session.sparkContext
    if flavour is ContextFlavour.SQL_CONTEXT:
        return SQLContext(session.sparkContext, session)
    if flavour is ContextFlavour.HIVE_CONTEXT:  # on the context's Hive-enabled session (spark_conf.py)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # deprecated, and what SJS's Hive jobs expect
            return HiveContext(session.sparkContext, session, session._jsparkSession.sqlContext())
    return session


def built_context(job: Any, session: SparkSession, flavour: ContextFlavour) -> Any | None:
    """What the job's `build_context` hook makes of the context, or None (no hook, or it declined).
    The hook usually builds a SparkContext subclass around the JVM context; pyspark allows one
    SparkContext per process, so its guard is lifted for the call and this worker's own restored."""
    hook = getattr(job, "build_context", None)
    if not callable(hook):
        return None
    sc = session.sparkContext
    jvm_context = {
        ContextFlavour.SPARK_CONTEXT: sc._jsc,
        ContextFlavour.SQL_CONTEXT: session._jsparkSession.sqlContext(),
        ContextFlavour.HIVE_CONTEXT: session._jsparkSession.sqlContext(),
    }.get(flavour, session._jsparkSession)
    with SparkContext._lock:
        SparkContext._active_spark_context = None
    try:
        return hook(sc._gateway, jvm_context, sc.getConf())
    finally:
        with SparkContext._lock:
            SparkContext._active_spark_context = sc
