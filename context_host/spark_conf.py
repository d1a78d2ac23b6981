"""The Spark settings a context's JVM starts with, from the context's settings."""

import os

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


def engine_conf(app_name: str, settings: ContextSettings, master: str = "") -> dict[str, str]:
    master = master or f"local[{settings.numCpuCores}]"
    conf = {**DEFAULTS, "spark.app.name": app_name, "spark.master": master}
    if settings.memoryPerNode:
        conf["spark.executor.memory"] = settings.memoryPerNode
    conf.update(settings.sparkConf)
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
