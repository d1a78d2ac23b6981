"""`python -m context_host --context NAME --context-id ID`: run one context host until it stops."""

import argparse
import logging
import os
import sys
import threading

from context_host import logs
from context_host.host import ContextHost
from context_host.wiring import host_parts
from infra.config import Settings
from infra.context_role import scope_to_context
from infra.hardening import conceal
from infra.metrics import metrics


def main() -> None:
    conceal()  # the credentials in this process's environment stay out of job code's reach
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--context", required=True)
    parser.add_argument("--context-id", required=True)
    args = parser.parse_args()
    logs.configure(args.context, args.context_id)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    logging.getLogger("botocore").setLevel(logging.WARNING)
    settings = Settings.from_env()
    metrics.write_to(settings.metrics_log)
    stop_flushing = threading.Event()
    flusher = metrics.flush_periodically(stop_flushing)
    scope_to_context(settings, args.context)  # on AWS: act as this context's role, before any client
    code = ContextHost(host_parts(settings), args.context, args.context_id).run()
    stop_flushing.set()
    flusher.join()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # threads waiting on workers must not keep an ended host alive


if __name__ == "__main__":
    main()
