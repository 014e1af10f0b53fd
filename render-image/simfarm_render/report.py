"""The worker's result: one JSON line on stdout and in the termination log.

Kubernetes shows the termination log as the container's termination message
(at most 4 KiB), where the operator reads it back for metrics and status.
"""

from __future__ import annotations

import json
import os
from typing import Any, TextIO

TERMINATION_LOG_ENV = "SIMFARM_TERMINATION_LOG"
DEFAULT_TERMINATION_LOG = "/dev/termination-log"
MAX_MESSAGE_BYTES = 4096


def termination_log_path() -> str:
    return os.environ.get(TERMINATION_LOG_ENV, DEFAULT_TERMINATION_LOG)


def emit(summary: dict[str, Any], stdout: TextIO) -> None:
    line = json.dumps(summary, sort_keys=True)
    print(line, file=stdout, flush=True)
    path = termination_log_path()
    try:
        with open(path, "w", encoding="utf-8") as log:
            log.write(line[:MAX_MESSAGE_BYTES])
    except OSError:
        pass  # not running in a pod, or the log is not writable: stdout has it
