"""`python -m context_host --context NAME --context-id ID`: run one context host until it stops;
`python -m context_host --spare ID`: a warm spare host, until a context adopts it and then stops."""

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
from infra.stores.contexts import SPARE_PREFIX


def main() -> None:
    conceal()  # the credentials in this process's environment stay out of job code's reach
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--context")
    parser.add_argument("--context-id")
    parser.add_argument("--spare", metavar="SPARE_ID")
    args = parser.parse_args()
    if args.spare:
        args.context, args.context_id = SPARE_PREFIX + args.spare, args.spare
    elif not (args.context and args.context_id):
        parser.error("a host needs --context and --context-id, or --spare")
    logs.configure(args.context, args.context_id)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    logging.getLogger("botocore").setLevel(logging.WARNING)
    settings = Settings.from_env()
    metrics.write_to(settings.metrics_log)
    stop_flushing = threading.Event()
    flusher = metrics.flush_periodically(stop_flushing)
    rescope = scope_to_context(settings, args.context)  # on AWS: act as its context's role, before any client
    parts = host_parts(settings)
    code = ContextHost(parts, args.context, args.context_id, spare=bool(args.spare), rescope=rescope).run()
    stop_flushing.set()
    flusher.join()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # threads waiting on workers must not keep an ended host alive


if __name__ == "__main__":
    main()
