"""The API function's entry: the resolver, its routers under their prefixes, error mapping,
logging, tracing and metrics. `lambda_handler` is what API Gateway (or the local HTTP adapter)
invokes."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler.openapi.models import HTTPBase, HTTPBearer, Tag
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api import errors
from functions.api.openapi import DescribedResolver
from functions.api.routes import binaries, contexts, data, health, jars, jobs, metricz, ui
from infra.metrics import metrics

logger = Logger(service="sjs-api")
tracer = Tracer()  # off where POWERTOOLS_TRACE_DISABLED is set (the local stack, tests)

app = DescribedResolver(enable_validation=True)
# The page and the description are open (they hold no data, as SJS's UI); the calls made from
# them carry credentials when auth is on (functions/api/auth), hence the schemes.
app.enable_swagger(
    path="/swagger",
    title="Serverless Spark job server",
    version="0.1.0",
    security_schemes={"basic": HTTPBase(scheme="basic"), "bearer": HTTPBearer()},
    security=[{"basic": []}, {"bearer": []}],
    description="A spark-jobserver compatible REST API: upload job packages, keep Spark contexts warm, "
    'run jobs. Errors answer in SJS\'s shape, `{"status": "ERROR", "result": "..."}`. '
    "The web UI is at /.",
    tags=[
        Tag(name="binaries", description="Job packages (egg, wheel, zip, jar), versioned"),
        Tag(name="contexts", description="Long-running Spark contexts"),
        Tag(name="jobs", description="Run jobs, watch them, read their results, kill them"),
        Tag(name="data", description="Data files for jobs (SJS's /data)"),
        Tag(name="jars (legacy)", description="SJS's old /jars routes, aliases of /binaries"),
        Tag(name="health", description="Health and metrics"),
    ],
)
app.include_router(binaries.router, prefix="/binaries")
app.include_router(contexts.router, prefix="/contexts")
app.include_router(jobs.router, prefix="/jobs")
app.include_router(jars.router, prefix="/jars")
app.include_router(data.router, prefix="/data")
app.include_router(health.router)
app.include_router(metricz.router)
app.include_router(ui.router)
errors.register(app)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # results and configs stay out of X-Ray
@metrics.flushed_after
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
