"""`python -m examples.build`: package example_jobs as an egg (a zip) under examples/dist/."""

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = HERE / "example_jobs"
EGG = HERE / "dist" / "example_jobs.egg"


def build_package(target: Path = EGG, overrides: dict[str, str] | None = None) -> Path:
    """Zip example_jobs/; `overrides` maps a path inside the package to replacement source."""
    target.parent.mkdir(parents=True, exist_ok=True)
    overrides = overrides or {}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as egg:
        for source in sorted(PACKAGE.rglob("*.py")):
            name = f"example_jobs/{source.relative_to(PACKAGE).as_posix()}"
            egg.writestr(name, overrides.pop(name, None) or source.read_text())
        for name, text in overrides.items():
            egg.writestr(name, text)
        egg.writestr("EGG-INFO/PKG-INFO", "Metadata-Version: 1.0\nName: example-jobs\nVersion: 0.1\n")
    return target


if __name__ == "__main__":
    print(f"built {build_package().relative_to(HERE.parent)}")
