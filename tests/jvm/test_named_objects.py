"""One registry of named objects per context, shared by Python and JVM jobs."""

import pytest
from pyspark.sql import DataFrame

from tests.jvm.conftest import submit


def test_a_dataframe_goes_python_to_jvm_to_python_as_one_jvm_object(bridge, spark, test_jar):
    numbers = spark.range(5).withColumnRenamed("id", "value")
    assert bridge.named_objects.update("numbers", lambda: numbers) is numbers
    assert numbers.storageLevel.useMemory  # persisted when stored
    config = {"input": "numbers", "output": "doubled"}
    assert submit(bridge, [test_jar], "bridge.tests.NamedDataFrameJob", config)["result"] == 5
    doubled = bridge.named_objects.get("doubled")
    assert isinstance(doubled, DataFrame)
    assert [(row.value, row.doubled) for row in doubled.orderBy("value").collect()] == [
        (i, 2 * i) for i in range(5)
    ]
    assert {"numbers", "doubled"} <= set(bridge.named_objects.get_names())
    bridge.named_objects.destroy("doubled")
    assert bridge.named_objects.get("doubled") is None
    assert not doubled.storageLevel.useMemory  # unpersisted when destroyed


def test_python_rdds_and_values_are_kept_for_any_python_process(bridge, spark):
    objects = bridge.named_objects
    objects.update("tens", lambda: spark.sparkContext.parallelize([1, 2, 3]).map(lambda x: x * 10))
    assert objects.get("tens").map(lambda x: x + 1).collect() == [11, 21, 31]
    assert objects.get_or_else_create("lookup", lambda: {"a": [1, 2]}) == {"a": [1, 2]}
    assert objects.get_or_else_create("lookup", lambda: pytest.fail("created twice")) == {"a": [1, 2]}
    objects.forget("lookup")
    assert objects.get("lookup") is None


def test_a_failed_creation_leaves_the_name_free(bridge):
    def broken():
        raise ValueError("no")

    with pytest.raises(ValueError):
        bridge.named_objects.get_or_else_create("flaky", broken)
    assert bridge.named_objects.get_or_else_create("flaky", lambda: 7) == 7


def test_a_python_broadcast_is_refused_with_the_reason(bridge, spark):
    broadcast = spark.sparkContext.broadcast([1, 2])
    with pytest.raises(TypeError, match="store its value"):
        bridge.named_objects.update("shared", lambda: broadcast)
    assert bridge.named_objects.get("shared") is None
