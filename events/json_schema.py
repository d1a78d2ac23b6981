"""Exports the JSON Schema of every lifecycle event (the whole EventBridge event, detail included)
to events/schemas/<detail-type>.json: `python -m events.json_schema`. A test keeps the files
equal to the models, so the published contract cannot drift from the code."""

import json
from pathlib import Path

from events.lifecycle import DETAILS, LifecycleEvent, envelope, slug

SCHEMAS = Path(__file__).resolve().parent / "schemas"


def schema_text(detail: type[LifecycleEvent]) -> str:
    schema = envelope(detail).model_json_schema(by_alias=True)
    return json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}, indent=2) + "\n"


def schema_files() -> dict[Path, str]:
    return {SCHEMAS / f"{slug(detail)}.json": schema_text(detail) for detail in DETAILS}


def main() -> None:
    SCHEMAS.mkdir(exist_ok=True)
    for path, text in schema_files().items():
        path.write_text(text)
        print(path.relative_to(SCHEMAS.parent.parent))


if __name__ == "__main__":
    main()
