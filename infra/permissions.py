"""SJS's permission names (spark-jobserver's doc/permissions.md), and how a granted name covers
the ones routes require. `metrics:read` (GET /metricz) is ours: SJS left /metricz unprotected.

Routes require one `Permission` each. Users are granted names that follow Shiro's wildcard rule
for SJS's two-part names, as a shiro.ini role would grant them:
- `jobs:start` grants exactly that;
- `jobs` (or `jobs:*`) grants every `jobs:…` permission, as SJS's parent permissions do;
- `*:read` grants every `…:read` (a read-only user);
- `*` grants everything (SJS's ALLOW_ALL).
"""

from enum import StrEnum


class Permission(StrEnum):
    BINARIES_READ = "binaries:read"
    BINARIES_UPLOAD = "binaries:upload"
    BINARIES_DELETE = "binaries:delete"
    CONTEXTS_READ = "contexts:read"
    CONTEXTS_START = "contexts:start"
    CONTEXTS_DELETE = "contexts:delete"
    CONTEXTS_RESET = "contexts:reset"
    DATA_READ = "data:read"
    DATA_UPLOAD = "data:upload"
    DATA_DELETE = "data:delete"
    DATA_RESET = "data:reset"
    JOBS_READ = "jobs:read"
    JOBS_START = "jobs:start"
    JOBS_DELETE = "jobs:delete"
    METRICS_READ = "metrics:read"


def grants(granted: str, permission: Permission) -> bool:
    """Whether the granted name covers `permission` (see the module docstring)."""
    resource, colon, action = granted.partition(":")
    needed_resource, needed_action = permission.split(":")
    return resource in ("*", needed_resource) and (action if colon else "*") in ("*", needed_action)


def check_grant(granted: str) -> str:
    """A granted name that covers no permission is a typo: refuse it rather than grant nothing."""
    if not any(grants(granted, permission) for permission in Permission):
        known = ", ".join(["*", *sorted({p.split(":")[0] for p in Permission}), *Permission])
        raise ValueError(f"{granted!r} names no permission; known: {known} (or `*:<action>`)")
    return granted
