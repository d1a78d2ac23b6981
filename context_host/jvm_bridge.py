"""JVM jobs from jars, seen from any Python process holding the context's SparkSession: a thin
typed wrapper over the JVM bridge (`jobserver.host.JobBridge`, built by `make jvm` into jvm/build/).

The bridge answers JSON text, so job code's Java exceptions never cross py4j; each call here
returns a plain dict: `{"kind": ...}` from prepare, `{"valid": True}` from validate, `{"result": ...}`
from run, or `{"error": {"message", "errorClass", "stack"}}` from any of them (the phase is the
call that failed). A job runs on the calling thread's JVM twin (pyspark pins one JVM thread to
each Python thread), under its own Spark job group, and blocks the caller until it ends.

Named objects live in one JVM registry per context, so Python and JVM jobs share them: a DataFrame
is the JVM Dataset underneath (stored by one language, fetched by the other); a Python RDD is its
JVM RDD of pickled batches; any other Python value is stored pickled (cloudpickle), readable by
every Python process of the context. A Python broadcast cannot cross processes and is refused.
"""

import json
import os
import pickle
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from py4j.java_gateway import JavaObject
from py4j.protocol import Py4JError
from pyspark import RDD, cloudpickle
from pyspark.broadcast import Broadcast
from pyspark.sql import DataFrame, SparkSession

from sparkjobserver.api import NamedObjects

JVM_BUILD = Path(__file__).resolve().parents[1] / "jvm" / "build"
CLASSPATH_JARS = ("job-api.jar", "host.jar", "typesafe-config.jar")
DEFAULT_KILL_GRACE_SECONDS = 1.0


def jvm_classpath(build_dir: Path = JVM_BUILD) -> list[Path]:
    """The jars a context's driver must start with: the job API, the bridge, Typesafe Config."""
    jars = [build_dir / name for name in CLASSPATH_JARS]
    missing = [str(jar) for jar in jars if not jar.is_file()]
    if missing:
        raise FileNotFoundError(f"JVM job support is not built ({', '.join(missing)}): run `make jvm`")
    return jars


def jvm_session_conf(build_dir: Path = JVM_BUILD) -> dict[str, str]:
    """Spark settings that give a context's session the bridge: the classpath on the driver, and the
    JVM option that lets the bridge refuse System.exit to jobs on Java 18-23 (Java 17 needs none).
    Executors need nothing: each binary's session ships its classes and the API to them itself."""
    return {
        "spark.driver.extraClassPath": os.pathsep.join(str(jar) for jar in jvm_classpath(build_dir)),
        "spark.driver.extraJavaOptions": "-Djava.security.manager=allow",
    }


class JvmBridge:
    """Prepare, validate, run and kill JVM jobs on the context of `session`; one JVM bridge per
    context session, shared by every Python process and thread that builds one of these."""

    def __init__(self, session: SparkSession):
        self._session = session
        self._bridge = session._jvm.jobserver.host.JobBridge.forSession(session._jsparkSession)
        self.named_objects = JvmNamedObjects(session, self._bridge.namedObjects())

    @property
    def exit_contained(self) -> bool:
        """Whether System.exit in a job is refused on this JVM (else it would end the context)."""
        return bool(self._bridge.exitContained())

    def prepare(self, job_id: str, jars: Sequence[str | Path], class_name: str) -> dict[str, Any]:
        """Load `class_name` from `jars` (the job's binary first, then its `cp` jars), in the class
        loader of that binary version: `{"kind": "JSparkJob"|"JSessionJob"|"SparkJob"|"main"}`."""
        return self._call(self._bridge.prepare, job_id, _paths_json(jars), class_name)

    def validate(
        self, job_id: str, config: Mapping[str, Any], context_config: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Run the prepared job's validation with the job's config as a Typesafe Config:
        `{"valid": True}`, or the rejection as an error."""
        return self._call(
            self._bridge.validate,
            job_id,
            json.dumps(config, default=str),
            json.dumps(context_config, default=str),
        )

    def run(self, job_id: str) -> dict[str, Any]:
        """Run the validated job on this thread until it ends: `{"result": <JSON-safe value>}`."""
        return self._call(self._bridge.run, job_id)

    def kill(self, job_id: str, grace_seconds: float = DEFAULT_KILL_GRACE_SECONDS) -> bool:
        """Cancel the job's Spark jobs and interrupt its thread; stop the thread if it still runs
        after the grace. True when the job is not running any more."""
        return bool(self._bridge.kill(job_id, int(grace_seconds * 1000)))

    def is_running(self, job_id: str) -> bool:
        """Whether the job's validation or run is on a thread now."""
        return bool(self._bridge.isRunning(job_id))

    def take_output(self, job_id: str) -> str:
        """What the job printed to System.out and System.err while it validated and ran, once."""
        return str(self._bridge.takeOutput(job_id))

    def discard(self, job_id: str) -> None:
        """Forget a prepared job that will not run (rejected, or claimed by another host)."""
        self._bridge.discard(job_id)

    @contextmanager
    def jars_on_classpath(self, jars: Sequence[str | Path]) -> Iterator[SparkSession]:
        """Give this thread's calls the jars' classes (e.g. a Python job's `cp` jars): yields a
        session of the same context for the job, whose queries run with the jars on the executors,
        and which can `udf.registerJavaFunction` a UDF class from them. Enter and leave it on one
        thread (pyspark pins a JVM thread to each Python thread)."""
        jsession = self._bridge.useJars(_paths_json(jars))
        try:
            yield SparkSession(self._session.sparkContext, jsession)
        finally:
            self._bridge.clearJars()

    @staticmethod
    def _call(method: Callable[..., str], *args: Any) -> dict[str, Any]:
        try:
            return json.loads(method(*args))
        except Py4JError as e:  # the bridge itself failed (or the JVM is gone); job code cannot get here
            return {"error": {"message": str(e), "errorClass": type(e).__name__, "stack": []}}


class JvmNamedObjects(NamedObjects):
    """The context's named objects (the JVM registry) for Python jobs, shared with JVM jobs."""

    def __init__(self, session: SparkSession, registry: JavaObject):
        self._session = session
        self._registry = registry
        self._jvm = session._jvm

    def get(self, name: str) -> Any | None:
        return self._from_jvm(self._registry.lookup(name))

    def get_or_else_create(self, name: str, obj_gen: Callable[[], Any]) -> Any:
        creation = self._registry.begin(name)
        if not creation.isMine():
            return self._from_jvm(creation.existing())
        try:
            value = obj_gen()
            creation.complete(self._to_jvm(value))
        except BaseException:
            creation.abandon()
            raise
        return value

    def update(self, name: str, obj_gen: Callable[[], Any]) -> Any:
        value = obj_gen()
        self._registry.store(name, self._to_jvm(value))
        return value

    def forget(self, name: str) -> None:
        self._registry.forget(name)

    def destroy(self, name: str) -> None:
        self._registry.destroy(name)

    def get_names(self) -> list[str]:
        return list(self._registry.getNames())

    def _to_jvm(self, value: Any) -> Any:
        if isinstance(value, DataFrame):
            return value._jdf
        if isinstance(value, RDD):
            if not value.is_cached:  # persisted here too, so RDDs derived from it read the cache
                value.persist()
            return self._jvm.jobserver.host.PythonRdd(
                value._jrdd, cloudpickle.dumps(value._jrdd_deserializer)
            )
        if isinstance(value, Broadcast):
            raise TypeError("a Python broadcast cannot be shared between jobs' processes: store its value")
        if isinstance(value, JavaObject):
            return value
        return self._jvm.jobserver.host.PythonValue(cloudpickle.dumps(value))

    def _from_jvm(self, stored: Any) -> Any:
        if not isinstance(stored, JavaObject):  # None, or a JVM string/number py4j converted
            return stored
        kind = self._jvm.jobserver.host.NamedObjectRegistry.kind(stored)
        if kind == "dataframe":
            return DataFrame(stored.toDF(), self._session)
        if kind == "python-rdd":
            rdd = RDD(stored.rdd(), self._session.sparkContext, pickle.loads(bytes(stored.deserializer())))
            rdd.is_cached = True
            return rdd
        if kind == "python-value":
            return pickle.loads(bytes(stored.pickled()))
        return stored


def _paths_json(jars: Sequence[str | Path]) -> str:
    return json.dumps([str(Path(jar).resolve()) for jar in jars])
