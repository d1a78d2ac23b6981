"""Compile Java sources into a jar with the JDK, against the job API classpath `make job-api` prints."""

import subprocess
from collections.abc import Iterable
from pathlib import Path

import pyspark

from context_host.jvm_bridge import JVM_BUILD

REPO = Path(__file__).resolve().parents[2]
JOB_API_CLASSPATH = [
    JVM_BUILD / "job-api.jar",
    JVM_BUILD / "typesafe-config.jar",
    Path(pyspark.__file__).parent / "jars" / "*",
]


def compile_classes(sources: Iterable[Path], out: Path) -> Path:
    classpath = ":".join(str(entry) for entry in JOB_API_CLASSPATH)
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["javac", "--release", "17", "-nowarn", "-cp", classpath, "-d", str(out), *map(str, sources)],
        check=True,
        capture_output=True,
    )
    return out


def jar(classes: Path, target: Path, *packages: str) -> Path:
    """A jar of the classes under `classes` in the given package directories (all when none)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["jar", "cf", str(target), *(arg for p in packages or (".",) for arg in ("-C", str(classes), p))],
        check=True,
        capture_output=True,
    )
    return target


def java_sources(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.java"))
