"""What a user without a job server runs: `spark-submit bench/submit_job.py <classPath> <config JSON>`.

One cold driver per job: JVM, SparkSession, the example job, the result on stdout, exit. Spark
settings come from spark-submit's --conf flags (the same ones a context host uses)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULT_PREFIX = "BENCH-RESULT "


def main(class_path: str, config_json: str) -> None:
    sys.path.insert(0, str(ROOT))
    import json

    from pyspark.sql import SparkSession

    from bench.workloads import job_runner

    session = SparkSession.builder.getOrCreate()
    try:
        print(RESULT_PREFIX + job_runner(session, class_path, json.loads(config_json))(), flush=True)
    finally:
        session.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
