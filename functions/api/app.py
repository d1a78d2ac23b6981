"""The API function's entry: the resolver, its routers under their prefixes, error mapping,
logging, tracing and metrics. `lambda_handler` is what API Gateway (or the local HTTP adapter)
invokes."""

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBase, HTTPBearer
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.api import errors
from functions.api.routes import binaries, contexts, data, health, jars, jobs, metricz
from infra.metrics import metrics

logger = Logger(service="sjs-api")
tracer = Tracer()  # off where POWERTOOLS_TRACE_DISABLED is set (the local stack, tests)

app = APIGatewayHttpResolver(enable_validation=True)
# The page and the description are open (they hold no data, as SJS's UI); the calls made from
# them carry credentials when auth is on (functions/api/auth), hence the schemes.
app.enable_swagger(
    path="/swagger",
    title="Serverless Spark job server",
    version="0.1.0",
    security_schemes={"basic": HTTPBase(scheme="basic"), "bearer": HTTPBearer()},
    security=[{"basic": []}, {"bearer": []}],
)
app.include_router(binaries.router, prefix="/binaries")
app.include_router(contexts.router, prefix="/contexts")
app.include_router(jobs.router, prefix="/jobs")
app.include_router(jars.router, prefix="/jars")
app.include_router(data.router, prefix="/data")
app.include_router(health.router)
app.include_router(metricz.router)
errors.register(app)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)  # results and configs stay out of X-Ray
@metrics.flushed_after
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
