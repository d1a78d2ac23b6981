"""Where a context's untrusted code runs: its driver JVM and its job workers.

Job code gets only what its context needs: a private folder, an environment with nothing of the
server's (no AWS credentials, no resource names), and, when the host runs as root, a user of its
own, so it can read neither the host's memory nor another context's processes or files. Users are
taken from a pool of system users (`sjs-sandbox-N`, made on first need), one per live context,
held with a lock file for the host's life; a host that dies releases its user with its lock.

Without root (an ordinary `make up`), job code runs as the server's own user; then the trusted
processes are made non-dumpable (infra/hardening.py), which closes their environment and memory
to it, and the embedded AWS endpoint refuses callers without the stack's keys. `isolation` tells
which of the two a context got; the README's Security section says what each one guarantees."""

import contextlib
import fcntl
import logging
import os
import pwd
import resource
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

log = logging.getLogger(__name__)

USER_PREFIX = "sjs-sandbox-"
USER_LOCKS = Path("/run/lock/sjs-sandbox-users")  # root's: the pool is taken only by root
POOL_SIZE = 64  # live contexts on one machine that each get a user of their own
PROCESS_LIMIT = 4096  # threads and processes of one sandbox user (a JVM alone runs ~150 threads)
SAFE_ENV = ("PATH", "LANG", "LC_ALL", "JAVA_HOME", "TZ")


@dataclass
class Sandbox:
    """A context's private folder and, when isolated by user, that user; `release` gives both back."""

    root: Path
    user: pwd.struct_passwd | None = None
    _lock: IO[bytes] | None = field(default=None, repr=False)

    @property
    def isolation(self) -> str:
        return "user" if self.user else "process"

    @property
    def temp(self) -> Path:
        return self.root / "tmp"

    def env(self, **extra: str) -> dict[str, str]:
        """A scrubbed environment: a few harmless variables of the host's, the private folder as
        home and temp, and `extra`."""
        env = {name: os.environ[name] for name in SAFE_ENV if name in os.environ}
        env.setdefault("LANG", "C.UTF-8")
        env.update(
            HOME=str(self.root),
            TMPDIR=str(self.temp),
            SPARK_LOCAL_DIRS=str(self.temp),
            PYSPARK_PYTHON=sys.executable,  # Spark's Python workers run what the job workers run
            PYTHONHASHSEED="0",
        )
        env.update(extra)
        return env

    def popen_args(self, memory_limit_bytes: int | None = None) -> dict[str, Any]:
        """Keyword arguments of subprocess.Popen for a process of this sandbox."""
        args: dict[str, Any] = {"start_new_session": True, "umask": 0o077, "close_fds": True}
        limits: list[tuple[int, int]] = []
        if self.user:
            args.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            limits.append((resource.RLIMIT_NPROC, PROCESS_LIMIT))
        if memory_limit_bytes:
            limits.append((resource.RLIMIT_DATA, memory_limit_bytes))
        if limits:
            args["preexec_fn"] = _limited(limits)
        return args

    def release(self) -> None:
        """End every process of this sandbox's user and remove its folder; the user goes back."""
        if self.user:
            _kill_user_processes(self.user.pw_uid)
        shutil.rmtree(self.root, ignore_errors=True)
        if self._lock:
            self._lock.close()
            self._lock = None


def open_sandbox(base: Path, name: str, *, isolate_users: bool = True) -> Sandbox:
    """A sandbox for context `name` under `base`: with a user of its own when this process is
    root, isolation by user is wanted and that user can run this interpreter and Spark."""
    base.mkdir(parents=True, exist_ok=True)
    user, lock = (None, None)
    if isolate_users and os.geteuid() == 0:
        unreachable = _unreachable_by_others(base)
        if unreachable:
            log.warning(
                "job code of %s runs as the server's user: another user cannot reach %s "
                "(make the interpreter and the project readable by others, e.g. a system Python)",
                name,
                unreachable,
            )
        else:
            user, lock = _take_pool_user()
    root = base / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "tmp").mkdir(parents=True)
    root.chmod(0o700)
    if user:
        for path in (root, root / "tmp"):
            os.chown(path, user.pw_uid, user.pw_gid)
    return Sandbox(root, user, lock)


def _take_pool_user() -> tuple[pwd.struct_passwd | None, IO[bytes] | None]:
    """The first pool user no other live host of this machine holds (made when missing); (None,
    None) when the pool is exhausted or users cannot be made here. The users are the machine's,
    so are their locks, whatever state folder each host has."""
    locks = USER_LOCKS
    locks.mkdir(mode=0o700, parents=True, exist_ok=True)
    for index in range(POOL_SIZE):
        name = f"{USER_PREFIX}{index}"
        lock = open(locks / name, "wb")  # noqa: SIM115  (held for the context's life)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        try:
            user = _pool_user(name)
        except (OSError, subprocess.CalledProcessError) as e:
            lock.close()
            log.warning("cannot make the sandbox user %s (%s); job code runs as the server's user", name, e)
            return None, None
        _kill_user_processes(user.pw_uid)  # leftovers of a host that died holding it
        return user, lock
    log.warning("all %d sandbox users are taken; job code runs as the server's user", POOL_SIZE)
    return None, None


def _pool_user(name: str) -> pwd.struct_passwd:
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(name)
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
         "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return pwd.getpwnam(name)


def _unreachable_by_others(base: Path) -> str | None:
    """The first path another user would need and cannot read (the interpreter, its standard
    library, pyspark, this project, the sandboxes' folder), or None."""
    import pyspark

    needed = [
        base.resolve(),
        Path(os.path.realpath(sys.executable)),
        Path(sysconfig.get_paths()["stdlib"]),
        Path(pyspark.__file__).parent,
        Path(__file__).resolve().parents[1],
    ]
    for path in needed:
        for part in [*reversed(path.parents), path]:
            mode = part.stat().st_mode
            wanted = stat.S_IXOTH if stat.S_ISDIR(mode) else stat.S_IROTH
            if not mode & wanted:
                return str(part)
    return None


def _kill_user_processes(uid: int) -> None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if entry.stat().st_uid == uid:
                os.kill(int(entry.name), signal.SIGKILL)


def _limited(limits: list[tuple[int, int]]):
    def apply() -> None:
        for kind, value in limits:
            resource.setrlimit(kind, (value, value))

    return apply
