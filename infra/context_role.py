"""A context host on AWS acts as its context only: its task role may do nothing but assume the
stack's ContextScopedRole (template.yaml) with the session tag `context=<name>`, and that role's
policy reaches the queue, record and results of the context its session names. The host calls
`scope_to_context` first thing, so every client it makes signs as that session.

The credentials are botocore's own refreshable assume-role credentials: fetched on first use and
fetched again before they expire (an hour at most, STS's limit for a role assumed by a role)."""

import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import NoCredentialsError

from infra.aws import use_credentials
from infra.config import Settings

CONTEXT_TAG = "context"  # template.yaml's ContextScopedRole reads ${aws:PrincipalTag/context}
SESSION_NAME_LIMIT = 64  # STS's RoleSessionName


def scope_to_context(settings: Settings, context: str) -> None:
    """Make this process's AWS clients act as `context`'s scoped role, when the deployment names
    one (HOST_SCOPED_ROLE_ARN; locally there is none and clients keep boto3's credentials)."""
    if settings.host_scoped_role_arn:
        use_credentials(context_credentials(settings.host_scoped_role_arn, context))


def context_credentials(
    role_arn: str, context: str, source: botocore.session.Session | None = None
) -> DeferredRefreshableCredentials:
    """`role_arn` assumed with the session tag naming `context`, from the credentials of `source`
    (a botocore session; by default boto3's chain: the ECS task role)."""
    source = source or botocore.session.get_session()
    source_credentials = source.get_credentials()
    if source_credentials is None:
        raise NoCredentialsError()
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=source.create_client,
        source_credentials=source_credentials,
        role_arn=role_arn,
        extra_args={
            "RoleSessionName": f"sjs-{context}"[:SESSION_NAME_LIMIT],
            "Tags": [{"Key": CONTEXT_TAG, "Value": context}],
        },
    )
    return DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
