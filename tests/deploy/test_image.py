"""The context host's image as the Dockerfile describes it: hadolint clean, and built from what
the host needs. (Whether it builds is checked where a container builder runs: `make image`.)"""

import json
import subprocess
import sys
from pathlib import Path

from infra.launchers import host_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_dockerfile_is_hadolint_clean():
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_ecs_launchers_command_runs_the_host_in_the_image():
    """ECS replaces the image's CMD with the launcher's command; an ENTRYPOINT would prefix it."""
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    command = ["python", *host_command("analytics", "0123")]
    assert lines[-1] == f"CMD {json.dumps(command[:3])}"
    assert not [
        line for line in lines if line.startswith(("ENTRYPOINT", "USER "))
    ]  # root: it makes sandbox users
    assert any("openjdk-17-jre-headless" in line for line in lines)
