"""What AWS enforces, as template.yaml declares it: encryption, TLS and retention as the template
states them (moto's CloudFormation ignores those properties or, for the bucket policy, the
resource)."""

import json
import time
from typing import Any

import pytest
from cfnlint.decode import decode_str

from infra.aws import client
from infra.clock import epoch_seconds_after
from infra.local.template import TEMPLATE
from infra.messaging.host_queues import HostQueues
from infra.messaging.replies import Replies


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, problems = decode_str(TEMPLATE.read_text())
    assert decoded is not None, problems
    return json.loads(json.dumps(decoded))


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
    assert len(queues) == 3 and all(q["SqsManagedSseEnabled"] is True for q in queues)
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
    [rule] = resources["DataBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert (rule["Prefix"], rule["ExpirationInDays"]) == ("results/", {"Ref": "JobRetentionDays"})
    assert resources["IdempotencyTable"]["Properties"]["TimeToLiveSpecification"]["Enabled"] is True
    assert aws.job_retention_days == 30  # JOB_RETENTION_DAYS, as the stack resolved it


def test_an_expiry_is_epoch_seconds_that_many_days_ahead():
    before = time.time()
    expiry = epoch_seconds_after(30)
    after = time.time()
    assert int(before) + 30 * 86400 <= expiry <= after + 30 * 86400
