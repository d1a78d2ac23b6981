"""The Spark settings a context's JVM starts with, from the context's settings."""

import os
from pathlib import Path

from context_host.jvm_bridge import jvm_session_conf
from events.settings import ContextSettings

# A job server runs several jobs at once on one context; FAIR keeps a small job from waiting
# behind a large one. Users can override any of these with spark.* settings.
DEFAULTS = {
    "spark.scheduler.mode": "FAIR",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
}
# What the server insists on, whatever the context asks: kills go through DELETE /jobs/{id} (the
# Spark UI's kill links would let any local process kill another context's work), and a driver
# that ran out of memory exits, so its context ends truthfully instead of serving half-broken.
ENFORCED = {"spark.ui.killEnabled": "false"}
EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError"
JOINED = {"spark.driver.extraClassPath": os.pathsep, "spark.driver.extraJavaOptions": " "}
HIVE_ENABLED = "spark.session.hive.enabled"  # SJS's switch for a session's Hive support


def engine_conf(
    app_name: str, settings: ContextSettings, master: str = "", private_dir: Path | None = None
) -> dict[str, str]:
    """`private_dir`: the context's own folder, where a Hive-enabled context keeps its embedded
    metastore and warehouse (gone with the context, as the rest of its sandbox)."""
    master = master or f"local[{settings.numCpuCores}]"
    conf = {**DEFAULTS, "spark.app.name": app_name, "spark.master": master}
    if settings.memoryPerNode:
        conf["spark.executor.memory"] = settings.memoryPerNode
    conf.update(settings.sparkConf)
    if conf.pop(HIVE_ENABLED, "false").strip().lower() == "true" or settings.flavour.hive:
        conf["spark.sql.catalogImplementation"] = "hive"
    if private_dir is not None:  # saveAsTable writes there, not in the host's working folder
        conf.setdefault("spark.sql.warehouse.dir", str(private_dir / "warehouse"))
        if conf.get("spark.sql.catalogImplementation") == "hive":
            _embedded_hive(conf, private_dir)
    master = conf["spark.master"]
    if master.startswith("spark://"):
        conf.setdefault("spark.cores.max", str(settings.numCpuCores))
    if master.startswith("local"):
        # Spark makes a secret per application in local mode; the driver's ports then refuse
        # other local processes (e.g. another context's jobs fetching this one's blocks).
        conf.setdefault("spark.authenticate", "true")
    conf.update(ENFORCED)
    ours = jvm_session_conf()  # the JVM job API and its bridge on the driver's class path
    ours["spark.driver.extraJavaOptions"] = f"{EXIT_ON_OOM} {ours['spark.driver.extraJavaOptions']}"
    for key, separator in JOINED.items():  # ours first, then what the context asked for
        conf[key] = separator.join(part for part in (ours[key], conf.get(key, "")) if part)
    return conf


def _embedded_hive(conf: dict[str, str], private_dir: Path) -> None:
    """A Derby metastore in the context's folder, unless the context names its own metastore
    (on AWS, e.g. the Glue Data Catalog: spark.hadoop.hive.metastore.client.factory.class)."""
    conf.setdefault(
        "spark.hadoop.javax.jdo.option.ConnectionURL",
        f"jdbc:derby:;databaseName={private_dir / 'metastore_db'};create=true",
    )
    derby_home = f"-Dderby.system.home={private_dir}"  # derby.log goes there, not the host's folder
    conf["spark.driver.extraJavaOptions"] = " ".join(
        part for part in (conf.get("spark.driver.extraJavaOptions", ""), derby_home) if part
    )
