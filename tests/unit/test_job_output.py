"""A worker's output goes to the log of the job it runs, line by line, and nowhere else; a log
keeps a bounded head and says what it dropped."""

import os

from context_host.job_output import JobLog, WorkerOutput


def lines_of(log: JobLog) -> list[str]:
    """The log's lines without their time stamps."""
    return [line.split(" ", 1)[1] for line in log.text().decode().splitlines()]


def test_what_a_worker_writes_while_a_job_runs_is_that_jobs_and_only_that():
    read_end, write_end = os.pipe()
    output = WorkerOutput(os.fdopen(read_end, "rb"), "test")
    first, second = JobLog(1 << 20), JobLog(1 << 20)
    os.write(write_end, b"before any job\n")
    output.attach(first)
    os.write(write_end, b"one\ntwo, unfinished")  # a partial line still is the job's at its end
    output.detach()
    os.write(write_end, b"between jobs\n")
    output.attach(second)
    os.write(write_end, "three \u2713\r\n".encode())
    output.detach()
    os.close(write_end)
    assert lines_of(first) == ["one", "two, unfinished"]
    assert lines_of(second) == ["three \u2713"]


def test_a_log_keeps_its_head_and_marks_what_it_dropped():
    log = JobLog(limit_bytes=100)
    for i in range(10):
        log.add(f"line {i}")
    kept = lines_of(log)
    assert kept[0] == "line 0" and len(kept) < 10
    assert kept[-1].startswith("[sjs] the log stopped at 100 bytes:")
    assert "line 9" not in "".join(kept)


def test_a_log_counts_its_changes():
    log = JobLog(1 << 10)
    assert log.version == 0 and log.text() == b""
    log.add("x")
    assert log.version == 1
