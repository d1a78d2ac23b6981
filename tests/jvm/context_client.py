"""`python -m tests.jvm.context_client MASTER JOBS`: start a context on MASTER as a host would, run
JOBS (JSON: [{"jars", "classPath", "config"}]) through the bridge one after the other, and print
{"outcomes": [...], "contextStopped": bool} as one JSON line. A process of its own: a JVM gets its
master and its fate once."""

import json
import sys

from pyspark.sql import SparkSession

from context_host.jvm_bridge import JvmBridge
from context_host.spark_conf import engine_conf
from events.settings import ContextSettings
from tests.jvm.conftest import submit

LOOPBACK = {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}


def main() -> None:
    master, jobs = sys.argv[1], json.loads(sys.argv[2])
    settings = ContextSettings(numCpuCores=1, sparkConf=LOOPBACK)
    session = SparkSession.builder.config(map=engine_conf("sjs-jvm-client", settings, master)).getOrCreate()
    try:
        bridge = JvmBridge(session)
        outcomes = [submit(bridge, job["jars"], job["classPath"], job.get("config", {})) for job in jobs]
        stopped = session.sparkContext._jsc.sc().isStopped()
        print(json.dumps({"outcomes": outcomes, "contextStopped": stopped}))
    finally:
        session.stop()


if __name__ == "__main__":
    main()
