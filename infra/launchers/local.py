"""Context hosts as child processes of this machine, each in its own session (so a terminal's
Ctrl-C reaches the local stack, which stops them in order) with its log under the state dir."""

import os
import signal
import subprocess
import sys
import threading

from infra.config import Settings
from infra.launchers import host_command, spare_command
from infra.local.processes import signal_group

PREFIX = "local:"


class LocalLauncher:
    def __init__(self, settings: Settings):
        self._settings = settings

    def launch(self, context: str, context_id: str) -> str:
        return self._start(host_command(context, context_id), context)

    def launch_spare(self, spare_id: str) -> str:
        return self._start(spare_command(spare_id), f"spare-{spare_id[:8]}")

    def _start(self, command: list[str], log_name: str) -> str:
        logs = self._settings.state_path / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self._settings.to_env()}
        if not self._settings.supervisor_pid:  # a host exits when the process that launched it is gone
            env["SUPERVISOR_PID"] = str(os.getpid())
        with open(logs / f"{log_name}.log", "ab") as log:
            child = subprocess.Popen(
                [sys.executable, *command],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        threading.Thread(target=child.wait, name=f"reap-{child.pid}", daemon=True).start()  # no zombies
        return f"{PREFIX}{child.pid}"

    def stop(self, host_id: str) -> None:
        if host_id.startswith(PREFIX):
            signal_group(int(host_id.removeprefix(PREFIX)), signal.SIGKILL)
