"""`python -m context_host.worker`: a job worker's life (see __init__.py).

It gets two file descriptors from the host: its socket, and its lifeline, a pipe whose other end
only the host holds, so the worker exits when the host does, whatever job code is doing (a
parent-death signal would be tied to the host thread that started it, not to the host)."""

import argparse
import logging
import os
import socket
import sys
import threading
import traceback

from context_host.channel import Channel, ChannelClosed
from context_host.worker.jobs import JobExecutor
from context_host.worker.spark import join_engine, warm_up
from events.worker_protocol import JoinEngine, RunJob, WorkerReady, to_worker
from infra.hardening import conceal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--socket-fd", type=int, required=True)
    parser.add_argument("--lifeline-fd", type=int, required=True)
    args = parser.parse_args()
    conceal()  # its memory holds the JVM's secret: closed to other contexts' jobs of the same user
    # A job's `logging` reaches its log (the host reads this process's stderr; job_output.py),
    # without py4j's chatter about its connections.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    threading.Thread(target=_exit_with_host, args=(args.lifeline_fd,), name="lifeline", daemon=True).start()
    channel = Channel(socket.socket(fileno=args.socket_fd))
    join = channel.receive(to_worker)
    if not isinstance(join, JoinEngine):
        sys.exit(f"expected a join message, got {join.kind}")
    engine = join_engine(join)
    if join.warmUpSpark:
        warm_up(engine.session)
    executor = JobExecutor(engine, channel, join.maxResultBytes)
    channel.send(WorkerReady(pid=os.getpid()))
    while True:
        try:
            message = channel.receive(to_worker)
        except ChannelClosed:
            return  # the host closed it: this worker is done
        if isinstance(message, RunJob):
            executor.run(message)


def _exit_with_host(fd: int) -> None:
    with os.fdopen(fd, "rb") as lifeline:
        lifeline.read()  # returns only at EOF: the host is gone
    os._exit(70)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
