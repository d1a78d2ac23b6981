"""The client reads `progress` as GET /jobs/{id} writes it, and `sjs` shows it in one line."""

from events.jobs import Counts, Progress, StreamingProgress
from jobserver_client.cli.output import progress_text
from jobserver_client.models import Job


def test_the_servers_progress_reads_as_the_clients_and_prints_in_one_line():
    sent = Progress(
        percent=50.0,
        jobs=Counts(done=1, total=2),
        stages=Counts(done=2, total=4),
        tasks=Counts(done=8, total=16),
        streaming=StreamingProgress(batches=7, inputRows=350, rowsPerSecond=50.0),
    )
    job = Job.model_validate({"jobId": "j", "status": "RUNNING", "progress": sent.model_dump()})
    progress = job.progress
    assert progress is not None and progress.streaming is not None
    assert (progress.fraction, progress.streaming.input_rows) == (0.5, 350)
    line = progress_text(progress, progress.fraction)
    assert line == "50% · jobs 1/2 · stages 2/4 · tasks 8/16 · batches 7 · 50 rows/s"
