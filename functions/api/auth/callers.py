"""Who is calling and what they may do: the one model behind local users, API keys and JWTs.

Scope is by context name prefix. A caller with prefixes sees and uses only contexts whose names
start with one of them, and the jobs that ran on those contexts; their ad-hoc jobs run in a
transient context named inside their first prefix, so those stay theirs too."""

from dataclasses import dataclass

from infra.permissions import Permission, grants


@dataclass(frozen=True)
class Caller:
    name: str
    granted: tuple[str, ...]
    context_prefixes: tuple[str, ...] | None = None  # None: every context

    def may(self, permission: Permission) -> bool:
        return any(grants(name, permission) for name in self.granted)

    @property
    def scoped(self) -> bool:
        return self.context_prefixes is not None

    def reaches(self, context: str) -> bool:
        return self.context_prefixes is None or context.startswith(self.context_prefixes)

    @property
    def may_run_adhoc(self) -> bool:
        """An ad-hoc job needs somewhere in scope to put its transient context."""
        return self.context_prefixes is None or bool(self.context_prefixes)

    @property
    def adhoc_prefix(self) -> str:
        return self.context_prefixes[0] if self.context_prefixes else ""


EVERYONE = Caller("anonymous", ("*",))  # auth off: SJS's ALLOW_ALL
