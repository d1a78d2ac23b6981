"""Request bodies and context settings, as SJS clients send them."""

import pytest

from events.settings import ContextFlavour
from functions.domain.config_text import flatten, parse_config
from functions.domain.context_settings import context_settings
from infra.errors import BadRequest, MalformedConfig
from infra.server_config import Limits

LIMITS = Limits()


def test_hocon_and_json_bodies_parse_to_plain_data():
    assert parse_config('input.strings = ["a", "b"]\nn = 3', LIMITS) == {
        "input": {"strings": ["a", "b"]},
        "n": 3,
    }
    assert parse_config('{"input": {"n": 1}}', LIMITS) == {"input": {"n": 1}}
    assert parse_config("", LIMITS) == {}


def test_malformed_config_is_reported_with_the_parser_message():
    with pytest.raises(MalformedConfig, match="Cannot parse config"):
        parse_config('input.strings = ["a"', LIMITS)


def test_flatten_joins_nested_keys_with_dots():
    assert flatten({"spark": {"executor": {"memory": "1g"}}, "a": 1}) == {
        "spark.executor.memory": "1g",
        "a": 1,
    }


def test_context_settings_merge_query_and_body_like_sjs():
    body = parse_config(
        "spark.context-settings { num-cpu-cores = 3, passthrough { spark.driver.maxResultSize = 2g } }\n"
        "spark.sql.shuffle.partitions = 4\nspark.jobserver.max-jobs-per-context = 2",
        LIMITS,
    )
    settings = context_settings({"memory-per-node": "512m"}, body, default_max_jobs=8)
    assert settings.numCpuCores == 3
    assert settings.memoryPerNode == "512m"
    assert settings.maxJobs == 2
    assert settings.sparkConf == {"spark.sql.shuffle.partitions": "4", "spark.driver.maxResultSize": "2g"}


def test_query_parameters_override_the_body():
    settings = context_settings({"num-cpu-cores": "1"}, {"num-cpu-cores": 4}, default_max_jobs=8)
    assert settings.numCpuCores == 1
    assert settings.maxJobs == 8


@pytest.mark.parametrize(
    ("factory", "flavour"),
    [
        (None, ContextFlavour.SESSION),
        ("spark.jobserver.python.PythonSessionContextFactory", ContextFlavour.SESSION),
        ("spark.jobserver.python.PythonSparkContextFactory", ContextFlavour.SPARK_CONTEXT),
        ("spark.jobserver.python.PythonSQLContextFactory", ContextFlavour.SQL_CONTEXT),
        ("spark.jobserver.python.PythonHiveContextFactory", ContextFlavour.HIVE_CONTEXT),
        ("spark.jobserver.context.HiveContextFactory", ContextFlavour.HIVE_CONTEXT),
        ("spark.jobserver.context.JavaSparkContextFactory", ContextFlavour.SPARK_CONTEXT),
        ("spark-context", ContextFlavour.SPARK_CONTEXT),
    ],
)
def test_sjs_context_factories_map_to_flavours(factory, flavour):
    assert ContextFlavour.from_factory(factory) is flavour


@pytest.mark.parametrize(
    "query", [{"num-cpu-cores": "0"}, {"num-cpu-cores": "many"}, {"context-factory": "com.acme.MyFactory"}]
)
def test_bad_context_settings_are_bad_requests(query):
    with pytest.raises(BadRequest, match="Invalid context settings"):
        context_settings(query, {}, default_max_jobs=8)


def test_sizes_and_durations_in_a_context_body_are_spark_strings():
    body = parse_config(
        "memory-per-node = 512m\nspark.network.timeout = 120s\nspark.executor.memory = 2g", LIMITS
    )
    settings = context_settings({}, body, default_max_jobs=8)
    assert settings.memoryPerNode == "512m"
    assert settings.sparkConf == {"spark.network.timeout": "120s", "spark.executor.memory": "2g"}


def test_the_operators_own_config_is_still_read_as_pyhocon_reads_it(monkeypatch):
    """Only request text is read as data: the shared pyhocon module is left as it is."""
    from pyhocon import ConfigFactory

    monkeypatch.setenv("SJS_OPERATOR_SETTING", "from-the-environment")
    assert ConfigFactory.parse_string("a = ${SJS_OPERATOR_SETTING}")["a"] == "from-the-environment"
    with pytest.raises(MalformedConfig, match="Cannot resolve"):
        parse_config("a = ${SJS_OPERATOR_SETTING}", LIMITS)
