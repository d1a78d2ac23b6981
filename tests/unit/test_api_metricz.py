"""GET /metricz: SJS's shape (group → metric → {"type", "value"}), figures read from the tables,
and a scoped caller counts only the contexts it reaches."""

import uuid

from events.states import ContextState
from infra.stores.contexts import ContextStore
from tests.unit.test_api_auth import bearer, user
from tests.unit.test_job_end import context_with_jobs


def gauges(answer_body: dict, group: str) -> dict[str, int]:
    return {name: metric["value"] for name, metric in answer_body[group].items()}


def test_metricz_sums_up_contexts_slots_and_recent_jobs_in_sjs_shape(aws, api):
    before = api("GET", "/metricz").body
    context, _ = context_with_jobs(aws, 3)  # running, every slot taken by a job just submitted
    answer = api("GET", "/metricz")
    assert answer.status == 200
    assert set(answer.body) == {"contexts", "slots", "jobs-last-hour"}
    assert all(metric["type"] == "gauge" for group in answer.body.values() for metric in group.values())
    assert set(gauges(answer.body, "contexts")) == {"STARTED", "RUNNING", "STOPPING"}
    assert gauges(answer.body, "contexts")["RUNNING"] == gauges(before, "contexts")["RUNNING"] + 1
    assert gauges(answer.body, "slots")["in-use"] == gauges(before, "slots")["in-use"] + 3
    assert gauges(answer.body, "slots")["offered"] == gauges(before, "slots")["offered"] + 3
    recent = gauges(answer.body, "jobs-last-hour")
    assert set(recent) == {"STARTED", "RUNNING", "FINISHED", "ERROR", "KILLED"}
    assert recent["STARTED"] == gauges(before, "jobs-last-hour")["STARTED"] + 3
    ContextStore(aws.contexts_table).end(context.name, context.contextId, ContextState.FINISHED)


def test_a_scoped_caller_counts_only_the_contexts_it_reaches(aws, api, configure):
    prefix = f"scoped-{uuid.uuid4().hex[:6]}-"
    accounts = "\n".join([user("watcher", ["metrics:read"], [prefix]), user("nobody", ["jobs"])])
    configure(f"auth {{ enabled = true\n users {{\n{accounts}\n}} }}")
    context, _ = context_with_jobs(aws, 2)
    assert not context.name.startswith(prefix)
    answer = api("GET", "/metricz", headers=bearer("watcher"))
    assert answer.status == 200
    assert sum(gauges(answer.body, "contexts").values()) == 0
    assert gauges(answer.body, "slots") == {"in-use": 0, "offered": 0}
    assert sum(gauges(answer.body, "jobs-last-hour").values()) == 0
    assert api("GET", "/metricz", headers=bearer("nobody")).status == 403
    ContextStore(aws.contexts_table).end(context.name, context.contextId, ContextState.FINISHED)
