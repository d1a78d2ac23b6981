"""A context's settings as the API stores them and its host reads them (SJS's context parameters)."""

from enum import StrEnum

from pydantic import BaseModel, Field


class ContextFlavour(StrEnum):
    """What a job's `context` argument is; SJS chose it with the context-factory parameter."""

    SESSION = "session"
    SPARK_CONTEXT = "spark-context"
    SQL_CONTEXT = "sql-context"
    HIVE_CONTEXT = "hive-context"  # a HiveContext on a Hive-enabled session (SJS's Hive factories)

    @property
    def hive(self) -> bool:
        """Whether the context's session is built with the Hive catalog."""
        return self is ContextFlavour.HIVE_CONTEXT

    @classmethod
    def from_factory(cls, factory: str | None) -> "ContextFlavour":
        """Map SJS factory class names (spark.jobserver.python.PythonSQLContextFactory, ...) or our names."""
        name = (factory or "").rsplit(".", 1)[-1].lower()
        if name in (cls.HIVE_CONTEXT, "hivecontext") or "hivecontext" in name:
            return cls.HIVE_CONTEXT
        if name in (cls.SQL_CONTEXT, "sqlcontext") or "sqlcontext" in name:
            return cls.SQL_CONTEXT
        if name in (cls.SPARK_CONTEXT, "sparkcontext") or "sparkcontextfactory" in name:
            return cls.SPARK_CONTEXT
        if not name or name == cls.SESSION or "session" in name:
            return cls.SESSION
        raise ValueError(f"unknown context-factory {factory!r}")


class RestartPolicy(BaseModel):
    """`restart=on-failure`: the context comes back by itself when its host or JVM dies
    (infra/supervision.py decides, functions/domain/supervision.py restarts it)."""

    attempts: int = Field(default=3, ge=1, le=10)  # restarts in a row before it ends ERROR for good


class WarmUp(BaseModel):
    """`warm-up { app, classPath, config }`: a job run at each start of the context, before it is
    RUNNING (to rebuild its named objects); an ordinary recorded job, which must finish."""

    app: str = Field(min_length=1)  # a binary's name (or names and package URIs, as a job's appName)
    classPath: str = Field(min_length=1)
    config: dict = {}  # its own config, over the context's, as a job's posted config


class ContextSettings(BaseModel):
    numCpuCores: int = Field(default=2, ge=1)
    memoryPerNode: str | None = None  # Spark memory string, e.g. 512m
    flavour: ContextFlavour = ContextFlavour.SESSION
    maxJobs: int = Field(default=8, ge=1)
    stopContextOnJobError: bool = False  # SJS's stop-context-on-job-error: a failed job stops its context
    sparkConf: dict[str, str] = {}  # the context's Spark conf: spark.*, passthrough and hadoop keys
    restart: RestartPolicy | None = None  # None: a context that dies stays ended (ERROR)
    warmUp: WarmUp | None = None  # run at each start, before the context is RUNNING
    config: dict = {}  # the context's whole config: runtime.contextConfig, below its jobs' own configs
