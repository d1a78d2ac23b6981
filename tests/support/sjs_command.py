"""Run `sjs`, the console script pyproject installs, as a user would, against a test stack."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

SJS = str(Path(sys.executable).with_name("sjs"))


class HasUrl(Protocol):
    url: str


def sjs(stack: HasUrl, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`sjs ARGS…` pointed at the stack through the environment, with no profile file unless
    `env` names one."""
    environment = {**os.environ, "SJS_URL": stack.url, "SJS_CONFIG": os.devnull, **env}
    return subprocess.run([SJS, *args], env=environment, capture_output=True, text=True, timeout=300)
