"""template.yaml is the single source of truth: cfn-lint clean, and the local stack derives from it."""

import json
import subprocess
import sys
from pathlib import Path

from cfnlint.decode import decode_str

from infra.aws import client
from infra.local.provision import provision
from infra.local.template import TEMPLATE, load


def test_template_is_cfn_lint_clean():
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(TEMPLATE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_local_stack_deploys_every_plain_resource_and_knows_every_function():
    local = load()
    resources = local.deployable["Resources"]
    assert {
        "DataBucket",
        "JobsTable",
        "ContextsTable",
        "BinariesTable",
        "DeadLetterQueue",
        "EventBus",
        "HostCluster",
        "HostTaskDefinition",
        "ApiSecurityGroup",
        "HostSecurityGroup",
        "HostEndpointFromApi",
    } <= set(resources)
    assert local.deployable["Conditions"]  # the optional endpoints' conditions go with them
    assert not any(spec["Type"].startswith("AWS::Serverless::") for spec in resources.values())
    assert not any(
        spec["Type"] in ("AWS::SQS::QueuePolicy", "AWS::S3::BucketPolicy") for spec in resources.values()
    )
    assert {"ContextScopedRole", "ApiFunctionRole", "CallbackFunctionRole"} <= set(resources)
    assert "DependsOn" not in resources["DataBucket"]  # it named a queue policy, which moto lacks
    assert {f.name: f.handler for f in local.functions} == {
        "ApiFunction": "functions.api.app.lambda_handler",
        "ReconcilerFunction": "functions.reconciler.app.lambda_handler",
        "DeployFunction": "functions.deploy.app.lambda_handler",
        "CallbackFunction": "functions.callbacks.app.lambda_handler",
    }
    assert set(local.env_outputs.values()) >= {
        "JOBS_TABLE",
        "CONTEXTS_TABLE",
        "BINARIES_TABLE",
        "BINARIES_BUCKET",
        "EVENT_BUS_NAME",
        "DEAD_LETTER_QUEUE_URL",
        "QUEUE_PREFIX",
    }


def test_on_aws_every_route_but_health_and_openapi_needs_a_jwt():
    template, _ = decode_str(TEMPLATE.read_text())
    auth = template["Globals"]["HttpApi"]["Auth"]
    authorizer = auth["Authorizers"][auth["DefaultAuthorizer"]]
    assert set(authorizer["JwtConfiguration"]) == {"issuer", "audience"}
    events = template["Resources"]["ApiFunction"]["Properties"]["Events"].values()
    opted_out = {
        e["Properties"]["Path"] for e in events if e["Properties"].get("Auth") == {"Authorizer": "NONE"}
    }
    assert opted_out == {"/healthz", "/swagger"}
    assert not {"JwtIssuer", "JwtAudience"} & set(load().deployable["Parameters"])  # not asked of moto


def test_provisioned_environment_names_the_created_resources(aws):
    assert aws.jobs_table == "sjs-unit-jobs"
    assert aws.event_bus_name == "sjs-unit-events"
    assert aws.queue_prefix == "sjs-unit-ctx-"
    assert aws.dead_letter_queue_url.endswith("/sjs-unit-dlq")


def test_function_queues_and_bucket_notifications_resolve_to_the_created_queues(aws):
    outputs = provision(load(), "sjs-unit").outputs  # the stack exists: this only reads it again
    sources = {f.name: [outputs[s.queue_arn_output] for s in f.queue_sources] for f in load().functions}
    assert sources["DeployFunction"] == ["arn:aws:sqs:us-east-1:123456789012:sjs-unit-deploy"]
    assert sources["CallbackFunction"] == ["arn:aws:sqs:us-east-1:123456789012:sjs-unit-callbacks"]
    assert sources["ReconcilerFunction"] == ["arn:aws:sqs:us-east-1:123456789012:sjs-unit-restarts"]
    notification = client("s3").get_bucket_notification_configuration(Bucket=aws.binaries_bucket)
    [queue] = notification["QueueConfigurations"]
    assert queue["QueueArn"].endswith(":sjs-unit-deploy")
    [rule] = queue["Filter"]["Key"]["FilterRules"]
    assert (rule["Name"].lower(), rule["Value"]) == ("prefix", "binaries/")


def test_events_that_keep_failing_end_in_the_dead_letter_queue(aws):
    sqs = client("sqs")
    dead = sqs.get_queue_attributes(QueueUrl=aws.dead_letter_queue_url, AttributeNames=["QueueArn"])
    for name in ("sjs-unit-deploy", "sjs-unit-callbacks", "sjs-unit-restarts"):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])["Attributes"]
        redrive = json.loads(policy["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == dead["Attributes"]["QueueArn"]
        assert 1 < int(redrive["maxReceiveCount"]) <= 5
