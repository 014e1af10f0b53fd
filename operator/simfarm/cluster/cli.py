"""`simfarm operator`: run the VideoRequest operator (kopf) with metrics and health probes."""

from __future__ import annotations

import argparse
import random
import threading


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "operator", help="run the Kubernetes operator",
        description="Watch VideoRequests and render them with Indexed Jobs. Settings: SIMFARM_RENDER_IMAGE, "
                    "SIMFARM_S3_SECRET, SIMFARM_OUTPUT_ROOT, SIMFARM_PRESIGN_SECONDS, SIMFARM_POLL_SECONDS; "
                    "render defaults for specs that leave them empty: SIMFARM_DEFAULT_GPU_RESOURCE, "
                    "SIMFARM_DEFAULT_NODE_SELECTOR (JSON object), SIMFARM_DEFAULT_TOLERATIONS (JSON list), "
                    "SIMFARM_DEFAULT_QUEUE, and SIMFARM_RUNTIME_CLASS for every pod; "
                    "S3 access as for simfarm.storage (AWS_* / MINIO_* or SIMFARM_S3_SECRET_DIR).")
    scope = parser.add_mutually_exclusive_group(required=True)
    scope.add_argument("-n", "--namespace", action="append", dest="namespaces", metavar="NS",
                       help="serve VideoRequests in this namespace (repeatable)")
    scope.add_argument("-A", "--all-namespaces", action="store_true", help="serve every namespace")
    parser.add_argument("--peering", metavar="NAME",
                        help="kopf peering object, to run more than one replica (default: standalone)")
    parser.add_argument("--priority", type=int, metavar="N",
                        help="with --peering: the replica with the highest priority works, the others stand by "
                             "(default: a random one, since replicas of equal priority would all pause)")
    parser.add_argument("--metrics-port", type=int, default=8080,
                        help="port of /metrics, /healthz and /readyz (default: 8080)")
    parser.add_argument("--metrics-address", default="0.0.0.0",
                        help="address /metrics, /healthz and /readyz listen on (default: 0.0.0.0, every "
                             "interface, as a pod needs; 127.0.0.1 keeps them local)")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import kopf

    from .. import metrics
    from .config import OperatorConfig

    OperatorConfig.from_environ()  # a bad setting stops the operator here, named, before kopf starts
    from . import handlers  # noqa: F401 - registers the handlers

    kopf.configure(verbose=args.verbose)
    ready = threading.Event()
    metrics.serve(args.metrics_port, ready=ready.is_set, host=args.metrics_address)
    priority = args.priority if args.priority is not None else random.SystemRandom().randrange(1, 1_000_000)
    kopf.run(clusterwide=args.all_namespaces, namespaces=args.namespaces or (), priority=priority,
             standalone=args.peering is None, peering_name=args.peering, ready_flag=ready)
    return 0
