"""The Spark settings a context's JVM starts with: Hive support where SJS gave it, kept private."""

from pathlib import Path

from context_host.spark_conf import engine_conf
from events.settings import ContextFlavour, ContextSettings

PRIVATE = Path("/state/sandbox/ctx-1234")


def test_hive_factories_get_the_hive_catalog_with_a_metastore_in_the_contexts_folder():
    conf = engine_conf("sjs-h", ContextSettings(flavour=ContextFlavour.HIVE_CONTEXT), private_dir=PRIVATE)
    assert conf["spark.sql.catalogImplementation"] == "hive"
    assert conf["spark.sql.warehouse.dir"] == str(PRIVATE / "warehouse")
    assert conf["spark.hadoop.javax.jdo.option.ConnectionURL"] == (
        f"jdbc:derby:;databaseName={PRIVATE / 'metastore_db'};create=true"
    )
    assert f"-Dderby.system.home={PRIVATE}" in conf["spark.driver.extraJavaOptions"]


def test_sjs_session_hive_switch_turns_it_on_and_is_not_passed_to_spark():
    on = engine_conf(
        "s", ContextSettings(sparkConf={"spark.session.hive.enabled": "true"}), private_dir=PRIVATE
    )
    off = engine_conf("s", ContextSettings(), private_dir=PRIVATE)
    assert on["spark.sql.catalogImplementation"] == "hive" and "spark.session.hive.enabled" not in on
    assert "spark.sql.catalogImplementation" not in off
    assert off["spark.sql.warehouse.dir"] == str(PRIVATE / "warehouse")  # saveAsTable stays private too


def test_a_context_naming_its_own_metastore_keeps_it():
    glue = {
        "spark.sql.catalogImplementation": "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL": "jdbc:mysql://metastore/hive",
        "spark.sql.warehouse.dir": "s3://team-warehouse/",
    }
    conf = engine_conf("g", ContextSettings(sparkConf=glue), private_dir=PRIVATE)
    assert {key: conf[key] for key in glue} == glue
