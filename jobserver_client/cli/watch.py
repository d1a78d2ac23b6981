"""A live progress bar on stderr while a job runs: its status, how far its Spark work is (from
the `progress` the server reports; a pulsing bar while it reports none), the elapsed time. On a
terminal it redraws in place; elsewhere (a pipe, a CI log) rich prints its final state once."""

from types import TracebackType
from typing import Self

from rich.progress import BarColumn, Progress, SpinnerColumn, Task, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from jobserver_client.cli.output import err, progress_text, status_text
from jobserver_client.models import Job, JobStatus


class EndMark(SpinnerColumn):
    """A spinner while the job runs, a dot once it ended however it ended (rich's own spinner
    stops turning only for a bar that reached 100%)."""

    def render(self, task: Task) -> Text:
        return Text("•") if task.stop_time is not None else super().render(task)


class JobWatch:
    """`with JobWatch(job_id) as watch: server.wait(job_id, timeout, watch.update)`."""

    def __init__(self, job_id: str):
        self._bar = Progress(
            EndMark(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=err,
        )
        self._task: TaskID = self._bar.add_task(f"job {job_id[:8]} …", total=None, detail="")

    def __enter__(self) -> Self:
        self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._bar.stop()

    def update(self, job: Job) -> None:
        fraction = job.progress.fraction if job.progress is not None else None
        if job.status is JobStatus.FINISHED:
            fraction = 1.0
        if fraction is not None:
            self._bar.update(self._task, total=100, completed=fraction * 100)
        self._bar.update(
            self._task,
            description=f"job {job.job_id[:8]} {status_text(job.status)}",
            detail=progress_text(job.progress, fraction),
        )
        if not job.status.is_active:
            self._bar.stop_task(self._task)
