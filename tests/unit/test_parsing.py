"""Request bodies and context factories, as SJS clients send them (context settings:
test_context_settings.py)."""

import pytest

from events.settings import ContextFlavour
from functions.domain.config_text import flatten, parse_config
from infra.errors import MalformedConfig
from infra.server_config import Limits, parse_server_config

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


def test_the_operators_own_config_reads_the_environment_and_request_text_does_not(monkeypatch):
    """Only request text is read as data; the operator's file is trusted text, as SJS's jobserver.conf."""
    monkeypatch.setenv("SJS_OPERATOR_SETTING", "from-the-environment")
    operator = parse_server_config("spark.job-defaults.a = ${SJS_OPERATOR_SETTING}")
    assert operator.spark.job_defaults == {"a": "from-the-environment"}
    with pytest.raises(MalformedConfig, match="Cannot resolve"):
        parse_config("a = ${SJS_OPERATOR_SETTING}", LIMITS)
