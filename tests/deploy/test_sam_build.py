"""The AWS packaging as `sam build` makes it (deploy/lambda/Makefile): each function is the code
the functions import and nothing else, its third-party packages are in the layer, and each
handler imports, as on Lambda's cold start, from those two folders alone.

The layer is built for the machine the template names (arm64), so those wheels cannot be loaded
here; the import test builds it for this machine instead (LAMBDA_MACHINE), from the same
requirements, and a second build checks that the default one is arm64 throughout."""

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from infra.local.template import TEMPLATE, load

ROOT = TEMPLATE.parent
FUNCTIONS = {spec.name: spec.handler for spec in load().functions}
LAYER = "FunctionDependencies"


def _sam() -> list[str]:
    local = ROOT / ".venv-sam" / "bin" / "sam"
    if local.exists():
        return [str(local)]
    found = shutil.which("sam")
    if found is None:
        pytest.skip("the SAM CLI is not installed (`make .venv-sam/.installed` installs it from PyPI)")
    return [found]


def _run_sam(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    sam = _sam()
    path = f"{Path(sam[0]).parent}{os.pathsep}{os.environ['PATH']}"  # its Python builds the layer
    result = subprocess.run(
        [*sam, *args],
        cwd=ROOT,
        env={**os.environ, "PATH": path, "AWS_DEFAULT_REGION": "us-east-1", **env},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`sam build` of every function and the layer, the layer for this machine."""
    build = tmp_path_factory.mktemp("sam") / "build"
    _run_sam("build", "--build-dir", str(build), LAMBDA_MACHINE=platform.machine())
    return build


def test_the_template_is_sam_lint_clean():
    _run_sam("validate", "--lint", "--template-file", str(TEMPLATE))


def test_each_function_holds_only_the_code_the_functions_import(built: Path):
    for name in FUNCTIONS:
        code = built / name
        assert sorted(p.name for p in code.iterdir()) == ["events", "functions", "infra"], name
        files = {str(p.relative_to(code)) for p in code.rglob("*") if p.is_file()}
        page = {f for f in files if f.startswith("functions/api/ui/")}  # the web UI the API serves
        assert all(f.endswith(".py") for f in files - page), name  # no samples, schemas, caches or state
        assert {Path(f).suffix for f in page} <= {".html", ".js", ".css"}, name
        assert not {f for f in files if f.startswith(("infra/local/", "infra/launchers/local"))}, name


def test_the_layer_holds_the_projects_runtime_dependencies_only(built: Path):
    packages = built / LAYER / "python"
    installed = {p.name.split("-")[0].lower() for p in packages.glob("*.dist-info")}
    assert {"aws_lambda_powertools", "boto3", "pydantic", "pyhocon", "aws_xray_sdk"} <= installed
    assert not {"pyspark", "moto", "pytest", "cfn_lint", "gunicorn", "py4j"} & installed


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_each_handler_imports_with_only_its_built_dependencies(built: Path, function: str):
    """A fresh interpreter (-I: no environment, no user site; -S: no site-packages) sees the
    standard library, the function's folder and the layer, as Lambda's runtime does."""
    module, _, attribute = FUNCTIONS[function].rpartition(".")
    probe = f"""
import importlib, json, sys
standard_library = [p for p in sys.path if p]
sys.path[:0] = [{str(built / function)!r}, {str(built / LAYER / "python")!r}]
handler = getattr(importlib.import_module({module!r}), {attribute!r})
print(json.dumps({{"callable": callable(handler), "stdlib": standard_library, "files": [
    getattr(m, "__file__", None) or "" for m in list(sys.modules.values())]}}))
"""
    lambda_like = {
        "AWS_LAMBDA_FUNCTION_NAME": function,  # Powertools' Tracer patches boto3 as on Lambda
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_SERVICE_NAME": "sjs",
        "PATH": os.environ["PATH"],
    }
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe],
        env=lambda_like,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["callable"]
    assert not [p for p in loaded["stdlib"] if "-packages" in p]
    allowed = (str(built / function), str(built / LAYER), *loaded["stdlib"])
    assert [f for f in loaded["files"] if f and not f.startswith(allowed)] == []
    assert any("/aws_xray_sdk/" in f for f in loaded["files"])  # Tracer's dependency came from the layer


def test_the_default_build_is_for_arm64_as_the_template_says(tmp_path: Path):
    build = tmp_path / "build"
    _run_sam("build", LAYER, "--build-dir", str(build))
    packages = build / LAYER / "python"
    native = [p.name for p in packages.rglob("*.so")]
    assert native and all(name.endswith("-aarch64-linux-gnu.so") for name in native), native
    tags = {
        line.split(":", 1)[1].strip()
        for wheel in packages.glob("*.dist-info/WHEEL")
        for line in wheel.read_text().splitlines()
        if line.startswith("Tag:")
    }
    assert all(tag.endswith(("-none-any", "_aarch64")) for tag in tags), tags
