"""`python -m infra.local` (what `make up` runs): the local stack in the foreground until Ctrl-C."""

import logging
import shutil
import subprocess
import sys
import time

from infra.hardening import conceal
from infra.local.stack import LocalStack, StackConfig
from infra.processes import StopSignals

log = logging.getLogger("sjs.stack")


def java_problem() -> str | None:
    if shutil.which("java") is None:
        return "Java 17+ is required (Spark runs on the JVM) and no 'java' is on PATH."
    output = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    version = output.split('"')[1] if '"' in output else "0"
    major = int(version.split(".")[0]) if version.split(".")[0].isdigit() else 0
    return None if major >= 17 else f"Java 17+ is required; found {version!r} ('java -version')."


def main() -> None:
    conceal()  # the stack's AWS keys are in its environment: closed to job code of the same user
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)-10s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("botocore").setLevel(logging.WARNING)
    problem = java_problem()
    if problem:
        sys.exit(f"ERROR: {problem}")
    stop = StopSignals()
    stack = LocalStack(StackConfig.from_env())
    try:
        stack.start()
        while not stop.received:
            time.sleep(0.2)
    except RuntimeError as e:  # the stack cannot start here (port taken, state locked or unreadable)
        log.error("%s", e)
        sys.exit(1)
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
