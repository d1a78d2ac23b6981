"""Contexts' and jobs' configs layered as SJS layers them, and the server config's SJS sections."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from functions.domain.config_layers import MAX_JOB_MESSAGE_CONFIG_BYTES, job_config, nested, with_fallback
from functions.domain.config_text import parse_config
from functions.domain.context_settings import adhoc_settings, context_settings
from infra.errors import BadRequest, ConfigRefused
from infra.server_config import Limits, SparkSection, load_server_config, parse_server_config

LIMITS = Limits()
NO_DEFAULTS = SparkSection()
EXAMPLE = Path(__file__).parents[2] / "examples" / "jobserver.conf"


def test_with_fallback_merges_objects_at_every_depth_and_takes_other_values_whole():
    first = {"a": {"b": 1, "list": [1]}, "s": "mine", "o": {"x": 1}}
    fallback = {"a": {"b": 2, "c": 3, "list": [2, 3]}, "s": {"not": "merged"}, "o": "a value", "d": 4}
    assert with_fallback(first, fallback) == {
        "a": {"b": 1, "c": 3, "list": [1]},
        "s": "mine",
        "o": {"x": 1},
        "d": 4,
    }
    assert first == {"a": {"b": 1, "list": [1]}, "s": "mine", "o": {"x": 1}}  # inputs are left alone


def test_dotted_query_parameters_are_paths_as_typesafe_reads_them():
    assert nested({"spark.executor.memory": "1g", "spark.cores.max": "2", "n": "3"}) == {
        "spark": {"executor": {"memory": "1g"}, "cores": {"max": "2"}},
        "n": "3",
    }
    for clash in ({"a": "1", "a.b": "2"}, {"a.b": "2", "a": "1"}, {"a..b": "1"}, {".a": "1"}):
        with pytest.raises(BadRequest, match="Invalid parameter"):
            nested(clash)


def test_a_context_config_is_the_settings_block_then_the_query_then_the_body_then_the_server():
    server = parse_server_config(
        "spark.context-settings { num-cpu-cores = 1, memory-per-node = 256m, team = ops, "
        "spark.ui.enabled = false }"
    ).spark
    body = parse_config(
        "spark.context-settings { num-cpu-cores = 3 }\nnum-cpu-cores = 5\nmemory-per-node = 2g\nowner = me",
        LIMITS,
    )
    settings = context_settings("reports", {"num-cpu-cores": "4", "memory-per-node": "1g"}, body, server)
    assert settings.numCpuCores == 3  # the block beats the query, as SJS's getContextConfig
    assert settings.memoryPerNode == "1g"  # the query beats the body's other keys
    assert settings.config == {
        "context": {"name": "reports"},
        "is-adhoc": False,
        "num-cpu-cores": 3,
        "memory-per-node": "1g",
        "owner": "me",
        "team": "ops",
        "spark": {"ui": {"enabled": False}},
    }
    assert settings.sparkConf == {"spark.ui.enabled": "false"}


def test_a_context_made_from_query_parameters_alone_has_its_whole_config():
    query = {"num-cpu-cores": "2", "memory-per-node": "512m", "spark.executor.cores": "1"}
    settings = context_settings("q", query, {}, NO_DEFAULTS)
    assert settings.config == {
        "context": {"name": "q"},
        "is-adhoc": False,
        "num-cpu-cores": "2",  # query values are text, as in SJS's parseMap
        "memory-per-node": "512m",
        "spark": {"executor": {"cores": "1"}},
    }
    assert (settings.numCpuCores, settings.memoryPerNode) == (2, "512m")
    assert settings.sparkConf == {"spark.executor.cores": "1"}


def test_passthrough_goes_to_the_spark_conf_and_hadoop_to_the_hadoop_configuration():
    body = parse_config(
        """
        spark.context-settings {
          spark.sql.shuffle.partitions = 4
          passthrough { es.nodes = "10.0.0.1", spark.sql.shuffle.partitions = 6 }
          hadoop { mapreduce.framework.name = Foo, fs.s3a.fast.upload = true }
        }
        spark.jobserver.max-jobs-per-context = 2
        """,
        LIMITS,
    )
    settings = context_settings("h", {}, body, NO_DEFAULTS)
    assert settings.sparkConf == {
        "spark.sql.shuffle.partitions": "6",  # passthrough is set after the spark.* keys
        "es.nodes": "10.0.0.1",
        "spark.hadoop.mapreduce.framework.name": "Foo",  # Spark copies spark.hadoop.* into the Hadoop conf
        "spark.hadoop.fs.s3a.fast.upload": "true",
    }
    assert settings.maxJobs == 2


def test_sizes_and_durations_in_a_context_body_are_spark_strings():
    body = parse_config(
        "memory-per-node = 512m\nspark.network.timeout = 120s\nspark.executor.memory = 2g", LIMITS
    )
    settings = context_settings("d", {}, body, NO_DEFAULTS)
    assert settings.memoryPerNode == "512m"
    assert settings.sparkConf == {"spark.network.timeout": "120s", "spark.executor.memory": "2g"}


def test_slots_and_stopping_on_a_job_error_come_from_the_context_or_the_server():
    server = parse_server_config(
        "spark { jobserver.max-jobs-per-context = 3, context-settings.stop-context-on-job-error = true }"
    ).spark
    defaults = context_settings("s", {}, {}, server)
    assert (defaults.maxJobs, defaults.stopContextOnJobError) == (3, True)
    own = context_settings(
        "s", {"stop-context-on-job-error": "false", "max-jobs-per-context": "5"}, {}, server
    )
    assert (own.maxJobs, own.stopContextOnJobError) == (5, False)
    assert context_settings("s", {}, {}, NO_DEFAULTS).maxJobs == 8


def test_an_adhoc_context_is_set_up_by_its_jobs_context_settings_only():
    server = parse_server_config("spark.context-settings { memory-per-node = 256m }").spark
    job = parse_config('spark.context-settings { num-cpu-cores = 1 }\ninput.strings = ["a"]', LIMITS)
    settings = adhoc_settings("adhoc-1-Job", job, server)
    assert (settings.numCpuCores, settings.memoryPerNode, settings.maxJobs) == (1, "256m", 1)
    assert settings.config == {
        "context": {"name": "adhoc-1-Job"},
        "is-adhoc": True,
        "num-cpu-cores": 1,
        "memory-per-node": "256m",
    }
    assert adhoc_settings("adhoc-2-Job", {}, NO_DEFAULTS).numCpuCores == 2


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ({"num-cpu-cores": "0"}, ""),
        ({"num-cpu-cores": "many"}, ""),
        ({"context-factory": "com.acme.MyFactory"}, ""),
        ({"stop-context-on-job-error": "perhaps"}, ""),
        ({}, "spark.context-settings = 5"),
        ({}, "context-factory = [x]"),
    ],
)
def test_bad_context_settings_are_bad_requests(query, body):
    with pytest.raises(BadRequest, match="Invalid context settings"):
        context_settings("bad", query, parse_config(body, LIMITS), NO_DEFAULTS)


def test_a_jobs_config_falls_back_to_its_contexts_then_to_the_servers_job_defaults():
    posted = {"input": {"strings": ["a"]}, "db": {"table": "mine"}}
    context = {"db": {"table": "context", "schema": "sales"}, "num-cpu-cores": 2}
    defaults = {"db": {"url": "jdbc:x", "schema": "public"}, "input": "never merged into an object"}
    assert job_config(posted, context, defaults) == {
        "input": {"strings": ["a"]},
        "db": {"table": "mine", "schema": "sales", "url": "jdbc:x"},
        "num-cpu-cores": 2,
    }


def test_a_jobs_config_too_large_for_its_message_is_refused():
    huge = {"blob": "x" * MAX_JOB_MESSAGE_CONFIG_BYTES}
    with pytest.raises(ConfigRefused, match="at most"):
        job_config({}, huge, {})


def test_an_sjs_operators_jobserver_conf_reads_with_its_keys_and_without_the_ones_not_used_here():
    config = parse_server_config(
        """
        akka { loglevel = INFO }
        spark {
          master = "local[4]"
          jobserver { port = 8090, max-jobs-per-context = 4, context-creation-timeout = 60 s }
          contexts {
            sql-context { num-cpu-cores = 1, memory-per-node = 512m }
          }
          context-settings { memory-per-node = 1g, passthrough { spark.driver.allowMultipleContexts = true } }
          job-defaults { db.url = "jdbc:postgresql://db/sales" }
        }
        """
    )
    spark = config.spark
    assert spark.jobserver.max_jobs_per_context == 4
    assert spark.contexts == {"sql-context": {"num-cpu-cores": 1, "memory-per-node": "512m"}}
    assert spark.context_settings["memory-per-node"] == "1g"
    assert spark.job_defaults == {"db": {"url": "jdbc:postgresql://db/sales"}}
    with pytest.raises(ValidationError, match="pattern"):
        parse_server_config("spark.contexts { 1st { num-cpu-cores = 1 } }")
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        parse_server_config("spark.jobserver.max-jobs-per-context = 0")


def test_the_example_server_config_reads_and_its_preloaded_contexts_are_valid():
    spark = load_server_config(str(EXAMPLE)).spark
    assert spark.jobserver.max_jobs_per_context == 8
    [(name, config)] = spark.contexts.items()
    settings = context_settings(name, {}, config, spark)
    assert (settings.numCpuCores, settings.memoryPerNode) == (1, "512m")
    assert not settings.stopContextOnJobError
    assert settings.sparkConf == {"spark.ui.showConsoleProgress": "false"}


def test_the_server_config_includes_files_beside_it_with_their_sizes_as_text(tmp_path, monkeypatch):
    (tmp_path / "contexts.conf").write_text("spark.contexts { included { memory-per-node = 1g } }")
    main = tmp_path / "jobserver.conf"
    main.write_text('include "contexts.conf"\nspark.job-defaults.timeout = 10s')
    monkeypatch.chdir("/")
    spark = load_server_config(str(main)).spark
    assert spark.contexts == {"included": {"memory-per-node": "1g"}}
    assert spark.job_defaults == {"timeout": "10s"}
