"""A context host on AWS signs as its context's scoped role (infra/context_role.py): checked on
moto's STS, which assumes roles without enforcing IAM, against the role the stack created."""

from collections.abc import Iterator
from dataclasses import replace

import botocore.session
import pytest
from botocore.credentials import RefreshableCredentials

from infra.aws import client, use_credentials
from infra.config import Settings
from infra.context_role import ContextCredentials, scope_to_context


@pytest.fixture
def scoped_role(aws: Settings) -> Iterator[dict]:
    """The stack's ContextScopedRole; clients sign with boto3's own credentials again afterwards."""
    resource = client("cloudformation").describe_stack_resource(
        StackName="sjs-unit", LogicalResourceId="ContextScopedRole"
    )["StackResourceDetail"]
    yield client("iam").get_role(RoleName=resource["PhysicalResourceId"])["Role"]
    use_credentials(None)


def test_clients_made_after_scoping_act_as_the_contexts_session(aws, scoped_role):
    scope_to_context(replace(aws, host_scoped_role_arn=scoped_role["Arn"]), "analytics")

    identity = client("sts").get_caller_identity()

    session = f"assumed-role/{scoped_role['RoleName']}/sjs-analytics"
    assert identity["Arn"] == f"arn:aws:sts::123456789012:{session}"


def test_the_session_carries_the_context_tag_the_roles_policy_reads(aws, scoped_role):
    source = botocore.session.get_session()
    asked: list[dict] = []
    source.register("provide-client-params.sts.AssumeRole", lambda params, **_: asked.append(params))

    ContextCredentials(scoped_role["Arn"], "analytics", source).get_frozen_credentials()

    [request] = asked
    assert request["RoleArn"] == scoped_role["Arn"]
    assert request["Tags"] == [{"Key": "context", "Value": "analytics"}]


def test_botocore_fetches_the_credentials_again_before_they_expire(aws, scoped_role):
    credentials = ContextCredentials(scoped_role["Arn"], "analytics")

    first = credentials.get_frozen_credentials()

    assert isinstance(credentials, RefreshableCredentials)
    assert first.access_key and not credentials.refresh_needed()
    assert credentials.refresh_needed(refresh_in=2 * 3600)  # they expire within STS's hour


def test_without_a_scoped_role_clients_keep_boto3s_credentials(aws, scoped_role):
    scope_to_context(aws, "analytics")  # the local stack names no HOST_SCOPED_ROLE_ARN

    assert ":assumed-role/" not in client("sts").get_caller_identity()["Arn"]


def test_a_spare_is_scoped_again_to_the_context_that_adopts_it(aws, scoped_role):
    rescope = scope_to_context(replace(aws, host_scoped_role_arn=scoped_role["Arn"]), "_spare-1")
    sts = client("sts")  # made before the adoption, as the host's stores are
    assert sts.get_caller_identity()["Arn"].endswith("/sjs-_spare-1")

    rescope("analytics")

    assert sts.get_caller_identity()["Arn"].endswith("/sjs-analytics")
