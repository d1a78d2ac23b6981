"""Context records in DynamoDB, one item per context name.

`contextId` tells incarnations of a name apart: a host only ever writes to the item of its own
incarnation, so a host that was declared dead cannot revive a context re-created since.

Job slots are a counter on the item (`activeJobs` against `maxJobs`): a submit takes one with a
single conditional write that also proves the context is live, and whoever ends the job gives it
back. The reconciler repairs a counter that leaked (the jobs' index is the truth)."""

import contextlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from events.messages import JobRequested
from events.settings import ContextSettings
from events.states import LIVE_CONTEXT_STATES, ContextState
from infra.clock import now_iso, now_ms
from infra.errors import Conflict, ContextExists, NoSuchContext
from infra.stores.dynamo import Table, Write, transact

if TYPE_CHECKING:
    from infra.supervision import RestartPlan

_STATE = {"#st": "state"}
_ALIASES = {**_STATE, "#m": "message", "#iso": "isolation"}  # reserved words in DynamoDB expressions
_LIVE_VALUES = {f":live{i}": state.value for i, state in enumerate(sorted(LIVE_CONTEXT_STATES))}
_IS_LIVE = f"#st IN ({', '.join(_LIVE_VALUES)})"


class ContextRecord(BaseModel):
    name: str
    contextId: str
    state: ContextState
    startTime: str
    endTime: str | None = None
    settings: ContextSettings = ContextSettings()
    queueUrl: str
    transient: bool = False
    hostId: str | None = None
    sparkUiUrl: str | None = None
    applicationId: str | None = None  # the Spark application's id, as SJS shows it
    isolation: str | None = None  # how its job code is kept apart: "user" or "process" (sandbox.py)
    endpoint: str | None = None  # its host's private endpoint, the sync lane (context_host/endpoint.py)
    endpointSecret: str | None = None  # what a call to it must carry; never shown by the API
    heartbeatAt: int = 0  # epoch ms; the launch time until the host's first beat
    message: str | None = None
    activeJobs: int = 0  # job slots taken
    takenBy: str | None = None  # a spare host's record: the context that is adopting it
    takenAt: int = 0  # epoch ms
    restarts: int = 0  # supervised: restarts in a row that led to this incarnation (infra/supervision.py)
    restartAt: int = 0  # RESTARTING: epoch ms from which its next incarnation is due
    warmUp: JobRequested | None = None  # its warm-up job (settings.warmUp), for its host to run first

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> "ContextRecord":
        item = dict(item)
        item["settings"] = ContextSettings.model_validate_json(item.get("settings", "{}"))
        if "warmUp" in item:
            item["warmUp"] = JobRequested.model_validate_json(item["warmUp"])
        return cls.model_validate(item)

    def is_stale(self, timeout_seconds: float, start_timeout_seconds: float) -> bool:
        """Its host has gone silent. While the context starts (a Fargate task may take a minute
        to be placed and pull its image), silence counts only after the start timeout."""
        limit = start_timeout_seconds if self.state is ContextState.STARTED else timeout_seconds
        return self.state.is_live and now_ms() - self.heartbeatAt > limit * 1000


@dataclass(frozen=True)
class RunningHost:
    """What a host records of itself when its context becomes usable."""

    spark_ui_url: str | None
    application_id: str
    isolation: str
    endpoint: str
    endpoint_secret: str


SPARE_PREFIX = "_spare-"  # spare hosts' records: no context name can start with '_'


class ContextStore:
    def __init__(self, table_name: str):
        self._table = Table(table_name)

    def create(
        self, record: ContextRecord, replacing: ContextRecord | None = None, with_writes: Sequence[Write] = ()
    ) -> None:
        """Claim the name; a live context of that name → ContextExists. `replacing`: only while
        that incarnation is still the name's, in the state it was read in (a restart: the
        context's new incarnation, unless someone deleted or re-created it meanwhile).
        `with_writes` happen with it or not at all (its warm-up job's record)."""
        item = record.model_dump(exclude_none=True, exclude={"warmUp"}, mode="json")
        item["settings"] = record.settings.model_dump_json()
        if record.warmUp is not None:
            item["warmUp"] = record.warmUp.model_dump_json()
        item["maxJobs"] = record.settings.maxJobs  # top level, for the slot condition
        if replacing is None:
            condition, values = f"attribute_not_exists(#n) OR NOT ({_IS_LIVE})", _LIVE_VALUES
        else:
            condition = "attribute_exists(#n) AND contextId = :old AND #st = :seen"
            values = {":old": replacing.contextId, ":seen": replacing.state.value}
        names = {"#n": "name", **_STATE}
        write = self._table.put_write(item, condition=condition, names=names, values=values)
        try:
            if with_writes:
                transact([write, *with_writes])
            else:
                self._table.apply(write)
        except Conflict:
            raise ContextExists(record.name) from None

    def get(self, name: str) -> ContextRecord:
        item = self._table.get({"name": name})
        if item is None:
            raise NoSuchContext(name)
        return ContextRecord.from_item(item)

    def take_slot(self, name: str) -> ContextRecord:
        """Take one job slot of a live context; returns the context as it is then. Conflict when
        it is full or not live (the caller reads it to say which)."""
        item = self._table.update(
            {"name": name},
            "SET activeJobs = if_not_exists(activeJobs, :zero) + :one, slotTakenAt = :now",
            condition="#st IN (:started, :running) AND (attribute_not_exists(activeJobs) OR activeJobs < maxJobs)",  # noqa: E501
            names=_STATE,
            values={
                ":zero": 0,
                ":one": 1,
                ":now": now_ms(),
                ":started": ContextState.STARTED.value,
                ":running": ContextState.RUNNING.value,
            },
        )
        return ContextRecord.from_item(item)

    def take_slot_write(self, name: str, context_id: str) -> Write:
        """Taking one job slot of this incarnation while it is usable, as one write of a
        transaction (with the job's record: infra/stores/jobs.py `create_write`)."""
        return self._incarnation_write(
            name,
            context_id,
            "SET activeJobs = if_not_exists(activeJobs, :zero) + :one, slotTakenAt = :now",
            {
                ":zero": 0,
                ":one": 1,
                ":now": now_ms(),
                ":started": ContextState.STARTED.value,
                ":running": ContextState.RUNNING.value,
            },
            extra_condition="#st IN (:started, :running) AND (attribute_not_exists(activeJobs) OR activeJobs < maxJobs)",  # noqa: E501
        )

    def free_slot(self, name: str, context_id: str) -> None:
        """Give a slot back to the incarnation it was taken from (never to a later one)."""
        with contextlib.suppress(Conflict):
            self._table.apply(self.free_slot_write(name, context_id))

    def free_slot_write(self, name: str, context_id: str) -> Write:
        return self._incarnation_write(
            name, context_id, "SET activeJobs = activeJobs - :one", {":one": 1, ":zero": 0},
            extra_condition="activeJobs > :zero",
        )  # fmt: skip

    def repair_slots(self, name: str, context_id: str, seen: int, actual: int, quiet_ms: int) -> None:
        """Set the slot counter to the jobs actually active, unless it moved since it was `seen`
        or a slot was taken in the last `quiet_ms` (the index that counts jobs may lag a new one)."""
        quiet = "activeJobs = :seen AND (attribute_not_exists(slotTakenAt) OR slotTakenAt < :quiet)"
        with contextlib.suppress(Conflict):
            self._write(
                name,
                context_id,
                "SET activeJobs = :actual",
                {":actual": actual, ":seen": seen, ":quiet": now_ms() - quiet_ms},
                extra_condition=quiet,
            )

    def all(self) -> list[ContextRecord]:
        return [ContextRecord.from_item(item) for item in self._table.scan()]

    def restarting(self) -> list[ContextRecord]:
        """The supervised contexts waiting for their next incarnation (state RESTARTING)."""
        return self.in_states({ContextState.RESTARTING})

    def live(self) -> list[ContextRecord]:
        """Every context not yet ended. The table holds one item per name, so it stays small."""
        return self.in_states(LIVE_CONTEXT_STATES)

    def in_states(self, states: Collection[ContextState]) -> list[ContextRecord]:
        """The contexts in one of `states`, oldest first."""
        values = {f":in{i}": state.value for i, state in enumerate(sorted(states))}
        items = self._table.scan(f"#st IN ({', '.join(values)})", names=_STATE, values=values)
        return sorted((ContextRecord.from_item(item) for item in items), key=lambda c: c.startTime)

    def set_host(self, name: str, context_id: str, host_id: str) -> None:
        self._write(name, context_id, "SET hostId = :h", {":h": host_id})

    def add_spare(self, spare_id: str, host_id: str) -> None:
        """Record a spare host being started (the warm pool: functions/domain/pool.py)."""
        record = ContextRecord(
            name=SPARE_PREFIX + spare_id,
            contextId=spare_id,
            state=ContextState.SPARE,
            startTime=now_iso(),
            queueUrl="",
            hostId=host_id,
            heartbeatAt=now_ms(),
        )
        item = record.model_dump(exclude_none=True, mode="json")
        item["settings"] = record.settings.model_dump_json()
        self._table.put(item, condition="attribute_not_exists(#n)", names={"#n": "name"})

    def spare_ready(self, spare_id: str, running: "RunningHost") -> None:
        """A spare host is warm and can be adopted through its endpoint."""
        self._spare_write(
            spare_id,
            "SET endpoint = :ep, endpointSecret = :eps, sparkUiUrl = :ui, applicationId = :app, "
            "#iso = :iso, heartbeatAt = :t",
            {
                ":ep": running.endpoint,
                ":eps": running.endpoint_secret,
                ":ui": running.spark_ui_url or "",
                ":app": running.application_id,
                ":iso": running.isolation,
                ":t": now_ms(),
            },
        )

    def beat_spare(self, spare_id: str) -> None:
        """A spare host is alive; Conflict when its record is gone (reaped, or adopted and dropped)."""
        self._spare_write(spare_id, "SET heartbeatAt = :t", {":t": now_ms()})

    def spares(self) -> list[ContextRecord]:
        items = self._table.scan("#st = :spare", names=_STATE, values={":spare": ContextState.SPARE.value})
        return [ContextRecord.from_item(item) for item in items]

    def take_spare(self, spare: ContextRecord, context: str) -> bool:
        """Claim a ready spare for `context`; False when another caller took it first."""
        try:
            self._spare_write(
                spare.contextId,
                "SET takenBy = :context, takenAt = :t",
                {":context": context, ":t": now_ms()},
                "attribute_exists(endpoint) AND attribute_not_exists(takenBy)",
            )
        except Conflict:
            return False
        return True

    def set_spare_host(self, spare_id: str, host_id: str) -> None:
        self._spare_write(spare_id, "SET hostId = :h", {":h": host_id})

    def drop_spare(self, spare_id: str) -> None:
        self._table.delete({"name": SPARE_PREFIX + spare_id})

    def _spare_write(
        self, spare_id: str, update: str, values: dict[str, Any], extra_condition: str | None = None
    ) -> None:
        condition = "contextId = :cid AND #st = :spare"
        if extra_condition:
            condition += f" AND {extra_condition}"
        names = {alias: attr for alias, attr in _ALIASES.items() if alias in update + condition}
        self._table.update(
            {"name": SPARE_PREFIX + spare_id},
            update,
            condition=condition,
            names=names,
            values={**values, ":cid": spare_id, ":spare": ContextState.SPARE.value},
            returning=False,
        )

    def beat(self, name: str, context_id: str) -> None:
        """Record the host is alive; Conflict when this incarnation has ended (e.g. was reaped)."""
        self._write(name, context_id, "SET heartbeatAt = :t", {":t": now_ms()}, live_only=True)

    def mark_running(self, name: str, context_id: str, running: "RunningHost") -> None:
        self._write(
            name,
            context_id,
            "SET #st = :running, sparkUiUrl = :ui, applicationId = :app, #iso = :iso, endpoint = :ep, "
            "endpointSecret = :eps, heartbeatAt = :t",
            {
                ":running": ContextState.RUNNING.value,
                ":ui": running.spark_ui_url or "",
                ":app": running.application_id,
                ":iso": running.isolation,
                ":ep": running.endpoint,
                ":eps": running.endpoint_secret,
                ":t": now_ms(),
                ":started": ContextState.STARTED.value,
            },
            extra_condition="#st = :started",
        )

    def begin_stop(self, name: str, context_id: str) -> None:
        """RUNNING/STARTED → STOPPING for this incarnation; Conflict when it is stopping or over."""
        self._write(
            name,
            context_id,
            "SET #st = :stopping",
            {
                ":stopping": ContextState.STOPPING.value,
                ":started": ContextState.STARTED.value,
                ":running": ContextState.RUNNING.value,
            },
            extra_condition="#st IN (:started, :running)",
        )

    def end(
        self,
        name: str,
        context_id: str,
        state: ContextState,
        message: str | None = None,
        restart: "RestartPlan | None" = None,
    ) -> bool:
        """Move a live incarnation to an end state, or with `restart` to RESTARTING (its next
        incarnation due then); False when it had ended already."""
        values = {":end": state.value, ":t": now_iso(), ":m": message or ""}
        update = "SET #st = :end, endTime = :t, #m = :m"
        if restart is not None:
            update += ", restarts = :n, restartAt = :at"
            values.update(
                {":end": ContextState.RESTARTING.value, ":n": restart.attempt, ":at": restart.at_ms}
            )
        try:
            self._write(name, context_id, update, values, live_only=True)
        except Conflict:
            return False
        return True

    def cancel_restart(
        self, name: str, context_id: str, message: str, state: ContextState = ContextState.FINISHED
    ) -> bool:
        """RESTARTING → FINISHED: a supervised context deleted between two incarnations (or ERROR:
        one whose next incarnation cannot start); False when it is not restarting any more (its
        next incarnation has started)."""
        values = {
            ":end": state.value,
            ":m": message,
            ":restarting": ContextState.RESTARTING.value,
        }
        try:
            self._write(
                name, context_id, "SET #st = :end, #m = :m", values, extra_condition="#st = :restarting"
            )
        except Conflict:
            return False
        return True

    def _write(
        self, name: str, context_id: str, update: str, values: dict[str, Any], **conditions: Any
    ) -> None:
        """Apply `_incarnation_write` at once (it takes the same conditions)."""
        self._table.apply(self._incarnation_write(name, context_id, update, values, **conditions))

    def _incarnation_write(
        self,
        name: str,
        context_id: str,
        update: str,
        values: dict[str, Any],
        live_only: bool = False,
        extra_condition: str | None = None,
    ) -> Write:
        """An update of this incarnation's item only (never a later one of the same name)."""
        condition = "contextId = :cid"
        if live_only:
            condition += f" AND {_IS_LIVE}"
            values = {**values, **_LIVE_VALUES}
        if extra_condition:
            condition += f" AND {extra_condition}"
        names = {alias: attr for alias, attr in _ALIASES.items() if alias in update + condition} or None
        return self._table.update_write(
            {"name": name}, update, condition=condition, names=names, values={**values, ":cid": context_id}
        )
