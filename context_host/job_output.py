"""A job's own output: what its worker process writes to stdout and stderr (print, `logging`,
warnings, tracebacks) while it runs that job, each line stamped with the time the host read it.

The host reads each worker's pipe itself and hands a line to the log of the job the worker runs
at that moment (a worker runs one job at a time), so job code cannot write into the log of a job
on another worker, and never holds the place a log is kept (infra/stores/job_logs.py). Lines a
worker writes between jobs go to the host's own log. A worker flushes its output before it
reports a job's outcome (context_host/worker/jobs.py), so when the host detaches the job's log
after the outcome, what is left in the pipe is the rest of that job's output.

A log keeps its first `limit_bytes` and then counts what it drops, and says so in a last line."""

import logging
import os
import select
import threading
from typing import IO

from infra.clock import now_iso

log = logging.getLogger(__name__)

READ_BYTES = 64 * 1024
MAX_LINE_BYTES = 64 * 1024  # a longer line (no newline yet) is cut into lines of this size


class JobLog:
    def __init__(self, limit_bytes: int):
        self._limit = limit_bytes
        self._lines: list[str] = []
        self._size = 0
        self._dropped = 0
        self._lock = threading.Lock()
        self.version = 0  # counts changes, so a writer saves only a log that changed

    def add(self, text: str) -> None:
        line = f"{now_iso()} {text}"
        size = len(line.encode()) + 1
        with self._lock:
            self.version += 1
            if self._dropped or self._size + size > self._limit:
                self._dropped += size
                return
            self._lines.append(line)
            self._size += size

    def extend(self, texts: list[str]) -> None:
        for text in texts:
            self.add(text)

    def text(self) -> bytes:
        """The log as it is kept: one `<ISO time> <line>` a line, then the mark of what it dropped."""
        with self._lock:
            lines = list(self._lines)
            if self._dropped:
                lines.append(
                    f"{now_iso()} [sjs] the log stopped at {self._limit} bytes: "
                    f"{self._dropped} more bytes of output were not kept"
                )
        return "".join(f"{line}\n" for line in lines).encode()


class WorkerOutput:
    """Reads a worker's output pipe on a thread of its own until the worker is gone."""

    def __init__(self, pipe: IO[bytes], worker: str):
        self._pipe = pipe
        self._fd = pipe.fileno()
        os.set_blocking(self._fd, False)
        self._worker = worker
        self._lock = threading.Lock()
        self._log: JobLog | None = None
        self._partial = b""
        self._closed = False
        threading.Thread(target=self._read, name=f"output-{worker}", daemon=True).start()

    def attach(self, job_log: JobLog) -> None:
        """From now on, what the worker writes is the job's."""
        with self._lock:
            self._drain()  # what came before is not the job's
            self._end_line()
            self._log = job_log

    def detach(self) -> None:
        """The job has ended: the rest of the pipe is its own, what follows is not."""
        with self._lock:
            self._drain()
            self._end_line()
            self._log = None

    def _read(self) -> None:
        ended = False
        while not ended:
            select.select([self._fd], [], [])
            with self._lock:
                ended = self._drain()
                if ended:
                    self._end_line()
                    self._closed = True
                    self._pipe.close()  # under the lock: its descriptor is never read once reused

    def _drain(self) -> bool:
        """Take what the pipe holds now (called holding the lock); True at its end."""
        while not self._closed:
            try:
                data = os.read(self._fd, READ_BYTES)
            except BlockingIOError:
                return False
            if not data:
                return True
            self._feed(data)
        return True

    def _feed(self, data: bytes) -> None:
        *lines, self._partial = (self._partial + data).split(b"\n")
        for line in lines:
            self._emit(line)
        while len(self._partial) > MAX_LINE_BYTES:
            self._emit(self._partial[:MAX_LINE_BYTES])
            self._partial = self._partial[MAX_LINE_BYTES:]

    def _end_line(self) -> None:
        if self._partial:
            self._emit(self._partial)
            self._partial = b""

    def _emit(self, line: bytes) -> None:
        text = line.decode(errors="replace").rstrip("\r")
        if self._log is not None:
            self._log.add(text)
        else:
            log.info("worker %s: %s", self._worker, text)
