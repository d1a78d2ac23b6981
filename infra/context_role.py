"""A context host on AWS acts as its context only: its task role may do nothing but assume the
stack's ContextScopedRole (template.yaml) with the session tag `context=<name>`, and that role's
policy reaches the queue, record and results of the context its session names. The host calls
`scope_to_context` first thing, so every client it makes signs as that session.

The credentials are botocore's own refreshable assume-role credentials: fetched on first use and
fetched again before they expire (an hour at most, STS's limit for a role assumed by a role). A
warm spare host (functions/domain/pool.py) starts scoped to its own record (`_spare-<id>`) and is
scoped again to the context that adopts it: its clients keep their credentials object, which
fetches the new context's session before its next call."""

from collections.abc import Callable

import botocore.session
from botocore.credentials import AssumeRoleCredentialFetcher, DeferredRefreshableCredentials
from botocore.exceptions import NoCredentialsError

from infra.aws import use_credentials
from infra.config import Settings

CONTEXT_TAG = "context"  # template.yaml's ContextScopedRole reads ${aws:PrincipalTag/context}
SESSION_NAME_LIMIT = 64  # STS's RoleSessionName


class ContextCredentials(DeferredRefreshableCredentials):
    """`role_arn` assumed with the session tag naming a context, from the credentials of `source`
    (a botocore session; by default boto3's chain: the ECS task role); `rescope` names another."""

    def __init__(self, role_arn: str, context: str, source: botocore.session.Session | None = None):
        self._role_arn = role_arn
        self._context = context
        self._source = source or botocore.session.get_session()
        if self._source.get_credentials() is None:
            raise NoCredentialsError()
        self._rescoped = False
        super().__init__(refresh_using=self._fetch, method="assume-role")

    def rescope(self, context: str) -> None:
        """From the next call on, act as `context`'s session."""
        self._context = context
        self._rescoped = True

    def refresh_needed(self, refresh_in: int | None = None) -> bool:
        return self._rescoped or super().refresh_needed(refresh_in)

    def _fetch(self) -> dict:
        self._rescoped = False
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=self._source.create_client,
            source_credentials=self._source.get_credentials(),
            role_arn=self._role_arn,
            extra_args={
                "RoleSessionName": f"sjs-{self._context}"[:SESSION_NAME_LIMIT],
                "Tags": [{"Key": CONTEXT_TAG, "Value": self._context}],
            },
        )
        return fetcher.fetch_credentials()


def scope_to_context(settings: Settings, context: str) -> Callable[[str], None]:
    """Make this process's AWS clients act as `context`'s scoped role, when the deployment names
    one (HOST_SCOPED_ROLE_ARN; locally there is none and clients keep boto3's credentials).
    Returns what scopes them to another context later (a spare's adoption)."""
    if not settings.host_scoped_role_arn:
        return lambda context: None
    credentials = ContextCredentials(settings.host_scoped_role_arn, context)
    use_credentials(credentials)
    return credentials.rescope
