"""What AWS enforces, as template.yaml declares it: each role's grants as moto's CloudFormation
created them (ARNs resolved), encryption, TLS and retention as the template states them (moto's
CloudFormation ignores those properties or, for the bucket policy, the resource)."""

import ast
import json
import time
from fnmatch import fnmatchcase
from typing import Any

import pytest
from cfnlint.decode import decode_str

from infra.aws import client
from infra.clock import epoch_seconds_after
from infra.local.template import TEMPLATE
from infra.messaging.host_queues import HostQueues
from infra.messaging.replies import Replies

STACK = "sjs-unit"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/sjs-unit-"
BUCKET = "arn:aws:s3:::sjs-unit-123456789012-data"
QUEUE = "arn:aws:sqs:us-east-1:123456789012:sjs-unit-"
BUS = "arn:aws:events:us-east-1:123456789012:event-bus/sjs-unit-events"
HOST_TASKS = "arn:aws:ecs:us-east-1:123456789012:task/sjs-unit-hosts/*"
LAMBDA_LOGS = "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
LAMBDA_IN_VPC = "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
SPARES_ONLY = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["_spare-*"]}}
ENDPOINT_PORT = 8091  # HostEndpointPort's default
CONTEXT_TAG = "${aws:PrincipalTag/context}"
TRACING = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}  # Tracing: Active, on every function


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def _physical_id(logical_id: str) -> str:
    resource = client("cloudformation").describe_stack_resource(StackName=STACK, LogicalResourceId=logical_id)
    return resource["StackResourceDetail"]["PhysicalResourceId"]


def _role(logical_id: str) -> dict[str, Any]:
    return client("iam").get_role(RoleName=_physical_id(logical_id))["Role"]


def _statements(logical_id: str) -> list[dict[str, Any]]:
    """Every statement of the role's inline policies (moto's CloudFormation keeps them as Python reprs)."""
    iam, name = client("iam"), _role(logical_id)["RoleName"]
    documents = [
        iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    return [s for d in documents for s in (d if isinstance(d, dict) else ast.literal_eval(d))["Statement"]]


def _grants(logical_id: str) -> dict[str, set[str]]:
    """resource → the actions the role is allowed on it."""
    granted: dict[str, set[str]] = {}
    for statement in _statements(logical_id):
        assert statement["Effect"] == "Allow"
        for resource in _listed(statement["Resource"]):
            granted.setdefault(resource, set()).update(_listed(statement["Action"]))
    return granted


def _condition(logical_id: str, action: str) -> dict[str, Any]:
    [statement] = [s for s in _statements(logical_id) if action in _listed(s["Action"])]
    return statement.get("Condition", {})


def _condition_of(logical_id: str, sid: str) -> dict[str, Any]:
    [statement] = [s for s in _statements(logical_id) if s.get("Sid") == sid]
    return statement.get("Condition", {})


def _allows(statements: list[dict[str, Any]], action: str, resource: str, context: str) -> bool:
    """IAM's matching of actions and resources (* any run, ? one character), with the session's tag."""
    return any(
        any(fnmatchcase(action, pattern) for pattern in _listed(s["Action"]))
        and any(fnmatchcase(resource, p.replace(CONTEXT_TAG, context)) for p in _listed(s["Resource"]))
        for s in statements
        if s["Effect"] == "Allow"
    )


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, problems = decode_str(TEMPLATE.read_text())
    assert decoded is not None, problems
    return json.loads(json.dumps(decoded))


# --- The host: one context only ------------------------------------------------------------


def test_the_host_task_role_can_only_become_the_scoped_role_naming_one_context(aws, template):
    task_role, scoped = _role("HostTaskRole"), _role("ContextScopedRole")
    assert _grants("HostTaskRole") == {scoped["Arn"]: {"sts:AssumeRole", "sts:TagSession"}}
    assert set(template["Resources"]["HostTaskRole"]["Properties"]) == {"AssumeRolePolicyDocument"}

    [trust] = scoped["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": task_role["Arn"]}
    assert set(trust["Action"]) == {"sts:AssumeRole", "sts:TagSession"}
    assert trust["Condition"] == {
        "StringLike": {"aws:RequestTag/context": "?*"},
        "ForAllValues:StringEquals": {"aws:TagKeys": ["context"]},
    }


@pytest.mark.parametrize(
    ("action", "resource", "allowed"),
    [
        ("sqs:ReceiveMessage", f"{QUEUE}ctx-analytics-0123abcd", True),
        ("sqs:DeleteMessage", f"{QUEUE}ctx-analytics-0123abcd", True),
        ("sqs:DeleteQueue", f"{QUEUE}ctx-analytics-0123abcd", True),
        ("sqs:ReceiveMessage", f"{QUEUE}ctx-analytics-b-0123abcd", False),  # a context named like it
        ("sqs:SendMessage", f"{QUEUE}ctx-other-0123abcd", False),  # a stop message to another context
        ("sqs:DeleteQueue", f"{QUEUE}ctx-other-0123abcd", False),
        ("sqs:SendMessage", f"{QUEUE}ctx-_reply-0123456789abcdef", True),  # wakes a sync caller
        ("sqs:ReceiveMessage", f"{QUEUE}ctx-_reply-0123456789abcdef", False),
        ("sqs:SendMessage", f"{QUEUE}callbacks", False),
        ("s3:PutObject", f"{BUCKET}/results/analytics/job-1.json", True),
        ("s3:PutObject", f"{BUCKET}/results/other/job-1.json", False),
        ("s3:PutObject", f"{BUCKET}/results/job-1.json", False),
        ("s3:GetObject", f"{BUCKET}/results/other/job-1.json", False),
        ("s3:PutObject", f"{BUCKET}/logs/analytics/job-1.log", True),
        ("s3:PutObject", f"{BUCKET}/logs/other/job-1.log", False),  # another context's job's log
        ("s3:GetObject", f"{BUCKET}/logs/other/job-1.log", False),
        ("s3:GetObject", f"{BUCKET}/versions/wordcount/1-abc.egg", True),
        ("s3:PutObject", f"{BUCKET}/versions/wordcount/1-abc.egg", False),
        ("s3:GetObject", f"{BUCKET}/data/input-2026-12-01T05_04_52.361Z.dat", True),  # for its jobs
        ("s3:PutObject", f"{BUCKET}/data/input-2026-12-01T05_04_52.361Z.dat", False),
        ("s3:DeleteObject", f"{BUCKET}/data/input-2026-12-01T05_04_52.361Z.dat", False),
        ("dynamodb:GetItem", f"{TABLE}contexts", True),  # its own item: see the LeadingKeys test
        ("dynamodb:UpdateItem", f"{TABLE}contexts", True),
        ("dynamodb:Scan", f"{TABLE}contexts", False),
        ("dynamodb:PutItem", f"{TABLE}contexts", False),
        ("dynamodb:DeleteItem", f"{TABLE}contexts", True),  # a spare's own record: see the next test
        ("dynamodb:UpdateItem", f"{TABLE}jobs", True),  # keyed by jobId: not scopable by IAM
        ("dynamodb:GetItem", f"{TABLE}jobs", False),  # another context's job config and result
        ("dynamodb:Query", f"{TABLE}jobs/index/active-by-context", True),
        ("dynamodb:Query", f"{TABLE}jobs/index/by-status", False),
        ("dynamodb:GetItem", f"{TABLE}binaries", False),
        ("events:PutEvents", BUS, True),
    ],
)
def test_the_scoped_role_reaches_only_the_context_its_session_names(aws, action, resource, allowed):
    assert _allows(_statements("ContextScopedRole"), action, resource, context="analytics") is allowed


def test_the_scoped_role_touches_only_its_own_context_record_and_publishes_only_as_the_job_server(aws):
    leading = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [CONTEXT_TAG]}}
    assert _condition("ContextScopedRole", "dynamodb:GetItem") == leading
    assert _condition("ContextScopedRole", "dynamodb:DeleteItem") == {**leading, **SPARES_ONLY}
    assert _condition("ContextScopedRole", "events:PutEvents") == {
        "StringEquals": {"events:source": "sjs.jobserver"}
    }


def test_the_host_task_definition_names_the_scoped_role(aws):
    definition = client("ecs").describe_task_definition(taskDefinition=aws.host_task_definition)
    [container] = definition["taskDefinition"]["containerDefinitions"]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    assert environment["HOST_SCOPED_ROLE_ARN"] == _role("ContextScopedRole")["Arn"]
    assert environment["JOB_RETENTION_DAYS"] == "30"


def test_the_api_names_data_files_by_the_folder_hosts_keep_them_in(template):
    """A /data upload answers the path the file gets on the hosts: both derive it from STATE_DIR."""
    [container] = template["Resources"]["HostTaskDefinition"]["Properties"]["ContainerDefinitions"]
    host = {variable["Name"]: variable["Value"] for variable in container["Environment"]}
    functions = template["Globals"]["Function"]["Environment"]["Variables"]
    assert functions["STATE_DIR"] == host["STATE_DIR"]


# --- The functions: exactly the calls their code makes -------------------------------------


def test_the_api_function_passes_and_reads_no_more_than_it_uses(aws):
    assert _grants("ApiFunctionRole") == {
        f"{TABLE}jobs": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
        f"{TABLE}jobs/index/*": {"dynamodb:Query"},
        f"{TABLE}contexts": {
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Scan",
            "dynamodb:DeleteItem",  # spares' records only
        },
        f"{TABLE}binaries": {"dynamodb:PutItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DeleteItem"},
        f"{BUCKET}/versions/*": {"s3:PutObject", "s3:DeleteObject"},
        f"{BUCKET}/binaries/*": {"s3:PutObject"},
        f"{BUCKET}/results/*": {"s3:GetObject"},
        f"{BUCKET}/logs/*": {"s3:GetObject"},
        f"{BUCKET}/data/*": {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"},
        BUCKET: {"s3:ListBucket"},
        f"{QUEUE}ctx-*": {"sqs:CreateQueue", "sqs:SendMessage", "sqs:DeleteQueue"},
        f"{QUEUE}ctx-_reply-*": {"sqs:CreateQueue", "sqs:ReceiveMessage", "sqs:DeleteMessage"},
        f"{QUEUE}dlq": {"sqs:GetQueueAttributes"},
        aws.host_task_definition: {"ecs:RunTask"},
        HOST_TASKS: {"ecs:StopTask"},
        _role("HostTaskRole")["Arn"]: {"iam:PassRole"},
        _role("HostExecutionRole")["Arn"]: {"iam:PassRole"},
        BUS: {"events:PutEvents"},
        "*": TRACING,
    }
    cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/sjs-unit-hosts"
    on_the_host_cluster = {"ArnEquals": {"ecs:cluster": cluster}}
    assert _condition("ApiFunctionRole", "ecs:RunTask") == on_the_host_cluster
    assert _condition("ApiFunctionRole", "ecs:StopTask") == on_the_host_cluster
    assert _condition("ApiFunctionRole", "iam:PassRole") == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    assert _condition("ApiFunctionRole", "events:PutEvents") == {
        "StringEquals": {"events:source": "sjs.jobserver"}
    }
    assert _condition("ApiFunctionRole", "s3:ListBucket") == {"StringLike": {"s3:prefix": "data/*"}}
    assert _condition_of("ApiFunctionRole", "SpareRecords") == SPARES_ONLY


def test_the_reconciler_ends_dead_contexts_sweeps_reply_queues_and_starts_preloaded_contexts_only(aws):
    assert _grants("ReconcilerFunctionRole") == {
        f"{TABLE}contexts": {
            "dynamodb:Scan",
            "dynamodb:GetItem",
            "dynamodb:UpdateItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",  # spares' records only
        },
        f"{TABLE}jobs": {"dynamodb:UpdateItem"},
        f"{TABLE}jobs/index/active-by-context": {"dynamodb:Query"},
        f"{QUEUE}ctx-*": {"sqs:CreateQueue", "sqs:DeleteQueue"},
        f"{QUEUE}dlq": {"sqs:GetQueueAttributes"},
        f"{QUEUE}restarts": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
        "*": {"sqs:ListQueues", *TRACING},  # no resource-level permission exists for these
        f"{QUEUE}ctx-_reply-*": {"sqs:GetQueueAttributes"},
        aws.host_task_definition: {"ecs:RunTask"},
        HOST_TASKS: {"ecs:StopTask"},
        _role("HostTaskRole")["Arn"]: {"iam:PassRole"},
        _role("HostExecutionRole")["Arn"]: {"iam:PassRole"},
        BUS: {"events:PutEvents"},
    }
    cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/sjs-unit-hosts"
    assert _condition("ReconcilerFunctionRole", "ecs:RunTask") == {"ArnEquals": {"ecs:cluster": cluster}}
    assert _condition("ReconcilerFunctionRole", "iam:PassRole") == {
        "StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    }
    assert _condition_of("ReconcilerFunctionRole", "SpareRecords") == SPARES_ONLY


def test_the_deploy_function_reads_drops_and_writes_versions_only(aws):
    assert _grants("DeployFunctionRole") == {
        f"{QUEUE}deploy": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
        f"{TABLE}idempotency": {
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        },
        f"{TABLE}binaries": {"dynamodb:PutItem"},
        f"{BUCKET}/binaries/*": {"s3:GetObject", "s3:DeleteObject"},
        f"{BUCKET}/versions/*": {"s3:PutObject", "s3:DeleteObject"},
        f"{BUCKET}/rejected/*": {"s3:PutObject"},
        BUS: {"events:PutEvents"},
        "*": TRACING,
    }


def test_the_callback_function_reads_job_records_and_results_only(aws):
    assert _grants("CallbackFunctionRole") == {
        f"{QUEUE}callbacks": {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
        f"{TABLE}jobs": {"dynamodb:GetItem"},
        f"{BUCKET}/results/*": {"s3:GetObject"},
        "*": TRACING,
    }


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = template["Resources"].items()
    return {name: r["Properties"] for name, r in resources if r["Type"] == "AWS::Serverless::Function"}


def test_every_function_signs_as_its_own_role_which_adds_only_its_logs(template):
    resources = template["Resources"]
    functions = _functions(template)
    assert {name: p["Role"] for name, p in functions.items()} == {
        name: {"Fn::GetAtt": [f"{name}Role", "Arn"]} for name in functions
    }
    assert not any("Policies" in p for p in functions.values())  # SAM would make a role beside
    for name in functions:
        role = resources[f"{name}Role"]["Properties"]
        [trust] = role["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
        in_vpc = "VpcConfig" in functions[name]  # then its network interfaces too
        expected = LAMBDA_IN_VPC if in_vpc else LAMBDA_LOGS  # a superset of the logs policy
        assert role["ManagedPolicyArns"] == [{"Fn::Sub": expected}]  # moto's CloudFormation skips these


# --- The network: the sync lane between the API function and the hosts ---------------------


def _ingress(group_id: str) -> list[dict[str, Any]]:
    [group] = client("ec2").describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return group["IpPermissions"]


def test_the_host_endpoint_admits_the_api_functions_group_only_on_its_port(aws):
    api_group, host_group = _physical_id("ApiSecurityGroup"), _physical_id("HostSecurityGroup")
    [rule] = _ingress(host_group)
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", ENDPOINT_PORT, ENDPOINT_PORT)
    assert [pair["GroupId"] for pair in rule["UserIdGroupPairs"]] == [api_group]
    assert not rule.get("IpRanges") and not rule.get("Ipv6Ranges") and not rule.get("PrefixListIds")
    assert _ingress(api_group) == []  # nothing calls the API function but API Gateway, from outside
    assert aws.host_security_groups == host_group  # what the launcher runs the host tasks in


def test_the_api_function_runs_in_the_vpc_reaching_https_and_the_host_endpoints_only(template):
    resources = template["Resources"]
    assert resources["ApiFunction"]["Properties"]["VpcConfig"] == {
        "SecurityGroupIds": [{"Fn::GetAtt": ["ApiSecurityGroup", "GroupId"]}],
        "SubnetIds": {"Ref": "SubnetIds"},
    }
    egress = resources["ApiSecurityGroup"]["Properties"]["SecurityGroupEgress"]
    port = {"Ref": "HostEndpointPort"}
    assert [(rule["FromPort"], rule["ToPort"], rule["IpProtocol"]) for rule in egress] == [
        (443, 443, "tcp"),
        (port, port, "tcp"),
    ]
    assert egress[1]["DestinationSecurityGroupId"] == {"Fn::GetAtt": ["HostSecurityGroup", "GroupId"]}
    assert template["Parameters"]["HostEndpointPort"]["Default"] == ENDPOINT_PORT
    others = [p for name, p in _functions(template).items() if name != "ApiFunction"]
    assert not any("VpcConfig" in p for p in others)  # they call no host; out of the VPC, no endpoints


def test_hosts_serve_their_endpoint_on_the_task_address_at_the_port_their_group_admits(aws, template):
    definition = client("ecs").describe_task_definition(taskDefinition=aws.host_task_definition)
    [container] = definition["taskDefinition"]["containerDefinitions"]
    environment = {e["name"]: e["value"] for e in container["environment"]}
    # moto's CloudFormation registers every task definition as "bridge": the template says awsvpc
    assert template["Resources"]["HostTaskDefinition"]["Properties"]["NetworkMode"] == "awsvpc"
    assert (environment["HOST_BIND"], environment["HOST_PORT"]) == ("0.0.0.0", str(ENDPOINT_PORT))
    assert [m["containerPort"] for m in container["portMappings"]] == [ENDPOINT_PORT]
    assert aws.host_public_ip == "DISABLED"  # HostPublicIp's default


def test_aws_is_reached_through_gateway_and_interface_endpoints_open_to_the_stack_only(aws):
    ec2 = client("ec2")
    vpc = ec2.describe_security_groups(GroupIds=[aws.host_security_groups])["SecurityGroups"][0]["VpcId"]
    stack_resources = client("cloudformation").describe_stack_resources(StackName=STACK)["StackResources"]
    ours = [r["PhysicalResourceId"] for r in stack_resources if r["ResourceType"] == "AWS::EC2::VPCEndpoint"]
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=ours)["VpcEndpoints"]  # other stacks share the VPC
    assert {e["VpcId"] for e in endpoints} == {vpc}
    by_type: dict[str, set[str]] = {}
    for endpoint in endpoints:
        by_type.setdefault(endpoint["VpcEndpointType"], set()).add(endpoint["ServiceName"].split(".", 3)[3])
    assert by_type["Gateway"] == {"s3", "dynamodb"}
    assert by_type["Interface"] == {"sqs", "events", "ecs", "sts", "ecr.api", "ecr.dkr", "logs"}
    interface = [e for e in endpoints if e["VpcEndpointType"] == "Interface"]
    assert all(e["PrivateDnsEnabled"] for e in interface)
    endpoint_group = _physical_id("InterfaceEndpointSecurityGroup")
    assert all([g["GroupId"] for g in e["Groups"]] == [endpoint_group] for e in interface)
    sources = {pair["GroupId"] for rule in _ingress(endpoint_group) for pair in rule["UserIdGroupPairs"]}
    assert sources == {_physical_id("ApiSecurityGroup"), _physical_id("HostSecurityGroup")}
    assert all((rule["FromPort"], rule["ToPort"]) == (443, 443) for rule in _ingress(endpoint_group))


def test_the_warm_pool_is_sized_and_timed_for_fargate_by_parameters(template):
    parameters, resources = template["Parameters"], template["Resources"]
    assert parameters["SpareHosts"]["Default"] == 1
    assert parameters["ContextStartTimeoutSeconds"]["Default"] == 300
    for name in ("ApiFunction", "ReconcilerFunction"):  # the two that take, start and reap spares
        variables = resources[name]["Properties"]["Environment"]["Variables"]
        assert variables == {
            "SPARE_HOSTS": {"Ref": "SpareHosts"},
            "CONTEXT_START_TIMEOUT_SECONDS": {"Ref": "ContextStartTimeoutSeconds"},
        }


# --- Encryption and TLS --------------------------------------------------------------------


def test_the_bucket_refuses_every_request_without_tls(template):
    [statement] = template["Resources"]["DataBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Principal"], statement["Action"]) == ("Deny", "*", "s3:*")
    bucket_and_objects = [{"Fn::GetAtt": ["DataBucket", "Arn"]}, {"Fn::Sub": "${DataBucket.Arn}/*"}]
    assert statement["Resource"] == bucket_and_objects
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_queues_and_tables_are_encrypted_at_rest(template):
    resources = template["Resources"].values()
    queues = [r["Properties"] for r in resources if r["Type"] == "AWS::SQS::Queue"]
    tables = [r["Properties"] for r in resources if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(queues) == 4 and all(q["SqsManagedSseEnabled"] is True for q in queues)
    assert len(tables) == 4 and all(t["SSESpecification"] == {"SSEEnabled": True} for t in tables)


def test_queues_made_at_run_time_ask_for_encryption_at_rest(aws):
    sqs = client("sqs")
    asked: list[dict] = []

    def record(params: dict, **_: Any) -> None:
        asked.append(params["Attributes"])

    sqs.meta.events.register("provide-client-params.sqs.CreateQueue", record)
    try:
        queues = HostQueues(aws.queue_prefix, aws.dead_letter_queue_url)
        queues.delete(queues.create("encrypted", "0123abcd0123abcd"))
        reply_queue = Replies(aws.queue_prefix).address()
        sqs.delete_queue(QueueUrl=reply_queue)
    finally:
        sqs.meta.events.unregister("provide-client-params.sqs.CreateQueue", record)
    assert [attributes["SqsManagedSseEnabled"] for attributes in asked] == ["true", "true"]


# --- What outlives the stack, and for how long ---------------------------------------------


@pytest.mark.parametrize("name", ["DataBucket", "JobsTable", "ContextsTable", "BinariesTable"])
def test_stateful_resources_outlive_the_stack(template, name):
    resource = template["Resources"][name]
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Retain", "Retain")


@pytest.mark.parametrize("name", ["JobsTable", "ContextsTable", "BinariesTable"])
def test_tables_recover_to_a_point_in_time(template, name):
    recovery = template["Resources"][name]["Properties"]["PointInTimeRecoverySpecification"]
    assert recovery == {"PointInTimeRecoveryEnabled": True}


def test_ended_jobs_expire_after_the_retention_the_operator_sets(template, aws):
    resources = template["Resources"]
    assert template["Parameters"]["JobRetentionDays"]["Default"] == 30
    assert resources["JobsTable"]["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expiresAt",
        "Enabled": True,
    }
    rules = resources["DataBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = {rule["Prefix"]: rule["ExpirationInDays"] for rule in rules}
    assert expiring == {"results/": {"Ref": "JobRetentionDays"}, "logs/": {"Ref": "JobRetentionDays"}}
    assert resources["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True
    assert aws.job_retention_days == 30  # JOB_RETENTION_DAYS, as the stack resolved it


def test_an_expiry_is_epoch_seconds_that_many_days_ahead():
    before = time.time()
    expiry = epoch_seconds_after(30)
    after = time.time()
    assert int(before) + 30 * 86400 <= expiry <= after + 30 * 86400


def test_every_function_is_traced(template):
    assert template["Globals"]["Function"]["Tracing"] == "Active"  # each role grants TRACING above
