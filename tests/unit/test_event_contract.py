"""The lifecycle events' published contract: one exported JSON Schema and one sample per
detail-type, both kept equal to the models in events/lifecycle.py."""

import json

import pytest

from events.json_schema import schema_files
from events.lifecycle import DETAILS, SOURCE, detail_of, envelope, slug
from events.sample_events import load_event, names


def test_exported_schemas_match_the_models():
    for path, text in schema_files().items():
        assert path.exists() and path.read_text() == text, f"run `python -m events.json_schema` ({path.name})"


def test_there_is_a_bus_sample_for_every_detail_type():
    assert sorted(names("bus")) == sorted(f"bus/{slug(detail)}" for detail in DETAILS)


@pytest.mark.parametrize("detail", DETAILS, ids=slug)
def test_bus_samples_parse_as_their_detail_type(detail):
    sample = load_event(f"bus/{slug(detail)}")
    event = envelope(detail).model_validate(sample)
    assert event.source == SOURCE and event.detail_type == detail.DETAIL_TYPE
    assert detail_of(event) == event.detail
    for field in ("context",) if "context" in detail.model_fields else ("appName",):
        assert sample["detail"][field]  # what users' event patterns select on


def test_an_event_of_another_source_is_refused():
    sample = load_event("bus/job-finished")
    sample["source"] = "someone.else"
    with pytest.raises(ValueError):
        detail_of(envelope(DETAILS[0]).__base__.model_validate(sample))
    json.dumps(sample)
