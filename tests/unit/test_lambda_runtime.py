"""The local stack's pools of function workers: a worker lives as long as the process that started
it, whichever of its threads started it."""

import signal
import subprocess
import sys
import threading
from pathlib import Path

from functions.domain.waiting import wait_until
from infra.local.lambda_runtime import FunctionPool

ROOT = Path(__file__).resolve().parents[2]
HANDLER = "tests.support.handlers.process_id"


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_worker_outlives_the_thread_that_started_it():
    pool = FunctionPool(HANDLER, "Echo", 1)
    try:
        first: list[int] = []
        starter = threading.Thread(target=lambda: first.append(pool.invoke({})))
        starter.start()
        starter.join()
        _, ended = wait_until(
            lambda: Path(f"/proc/self/task/{starter.native_id}").exists(), lambda x: not x, 5
        )
        assert ended

        assert pool.invoke({}) == first[0]
        assert running(first[0])
    finally:
        pool.shutdown()


def test_a_worker_exits_when_the_process_that_started_it_is_killed():
    script = (
        "import signal; from infra.local.lambda_runtime import FunctionPool; "
        f"print(FunctionPool({HANDLER!r}, 'Echo', 1).invoke({{}}), flush=True); signal.pause()"
    )
    starter = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert starter.stdout is not None
        worker = int(starter.stdout.readline())
        assert running(worker)
    finally:
        starter.send_signal(signal.SIGKILL)
        starter.wait()

    _, gone = wait_until(lambda: running(worker), lambda alive: not alive, 10)
    assert gone
