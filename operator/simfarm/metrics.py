"""Prometheus metrics of the operator: every exported name is defined here, and only here.

``METRIC_NAMES`` lists the names as Prometheus exposes them (histograms add
``_bucket``/``_sum``/``_count``, counters ``_total``); the Grafana dashboard
must use only these. ``serve`` exposes ``/metrics``, ``/healthz`` and
``/readyz`` on one port.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               disable_created_metrics, generate_latest)

disable_created_metrics()  # no *_created series: METRIC_NAMES is the whole list

PHASES = ("Pending", "Planning", "Rendering", "Assembling", "Succeeded", "Failed")
STAGES = ("rewrite", "combine", "retrieve", "plan", "render", "assemble", "total")
SHARD_STATES = ("succeeded", "failed", "running", "pending")
VIDEO_OUTCOMES = ("succeeded", "failed")
ERROR_REASONS = ("endpoint_secret", "invalid_spec", "kubernetes_api", "storage")

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Gauge("simfarm_requests", "VideoRequests by phase", ["phase"], registry=REGISTRY)
STAGE_SECONDS = Histogram(
    "simfarm_stage_duration_seconds",
    "Seconds per request and stage: rewrite, combine, retrieve (asset retrieval latency), layout (framing "
    "checked along the camera path), caption, plan (all of these and plan.json), render, assemble, total "
    "(creation to final phase)",
    ["stage"], registry=REGISTRY,
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400))
SHARDS = Gauge("simfarm_shards", "Render shards of unfinished requests by state", ["state"], registry=REGISTRY)
FRAME_SECONDS = Histogram(
    "simfarm_frame_render_seconds", "Render time per frame, from the workers' termination messages",
    ["engine", "device"], registry=REGISTRY,
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300))
RENDERED_FRAMES = Counter("simfarm_rendered_frames", "Frames rendered by finished shards",
                          ["engine", "device"], registry=REGISTRY)
REWRITER_FALLBACKS = Counter("simfarm_rewriter_fallbacks", "Requests where the llm rewriter failed and the "
                             "rules rewriter was used", registry=REGISTRY)
ERRORS = Counter("simfarm_errors", "Operator errors by reason", ["reason"], registry=REGISTRY)
VIDEOS = Counter("simfarm_videos", "Videos (variants) of finished requests by outcome: succeeded or failed",
                 ["outcome"], registry=REGISTRY)
# Series with known labels exist from the start, at 0: rate() and increase() then see the first
# event as one (a series born at 1 looks flat), and the dashboard's panels are never empty.
for _outcome in VIDEO_OUTCOMES:
    VIDEOS.labels(outcome=_outcome)
for _reason in ERROR_REASONS:
    ERRORS.labels(reason=_reason)
for _stage in STAGES:
    STAGE_SECONDS.labels(stage=_stage)

METRIC_NAMES: tuple[str, ...] = (
    "simfarm_requests",
    *(f"simfarm_stage_duration_seconds{s}" for s in ("_bucket", "_sum", "_count")),
    "simfarm_shards",
    *(f"simfarm_frame_render_seconds{s}" for s in ("_bucket", "_sum", "_count")),
    "simfarm_rendered_frames_total",
    "simfarm_rewriter_fallbacks_total",
    "simfarm_errors_total",
    "simfarm_videos_total",
)

_lock = threading.Lock()
_phases: dict[str, str] = {}  # request uid -> phase
_shards: dict[str, Mapping[str, int]] = {}  # request uid -> shard counts of an unfinished request


def track_phase(uid: str, phase: str | None) -> None:
    """Record a request's phase (None: it is gone); the gauge counts requests per phase."""
    with _lock:
        if phase is None:
            _phases.pop(uid, None)
        else:
            _phases[uid] = phase
        for name in PHASES:
            REQUESTS.labels(phase=name).set(sum(1 for p in _phases.values() if p == name))


def track_shards(uid: str, counts: Mapping[str, int] | None) -> None:
    """Record an unfinished request's shard counts (None: finished or gone)."""
    with _lock:
        if counts is None:
            _shards.pop(uid, None)
        else:
            _shards[uid] = counts
        totals = {state: 0 for state in SHARD_STATES}
        for c in _shards.values():
            totals["succeeded"] += c.get("succeeded", 0)
            totals["failed"] += c.get("failed", 0)
            totals["running"] += c.get("running", 0)
            totals["pending"] += max(0, c.get("total", 0) - c.get("succeeded", 0) - c.get("failed", 0)
                                     - c.get("running", 0))
        for state, value in totals.items():
            SHARDS.labels(state=state).set(value)


def observe_worker(summary: Mapping[str, Any]) -> None:
    """One finished shard's termination summary: per-frame render time and frame count."""
    labels = {"engine": str(summary["engine"]), "device": str(summary["device"])}
    FRAME_SECONDS.labels(**labels).observe(float(summary["seconds_per_frame"]))
    RENDERED_FRAMES.labels(**labels).inc(int(summary["frames"]))


def count_videos(*, succeeded: int, failed: int) -> None:
    """A request finished: its variants with a video, and those without."""
    VIDEOS.labels(outcome="succeeded").inc(succeeded)
    VIDEOS.labels(outcome="failed").inc(failed)


def exposition() -> bytes:
    return generate_latest(REGISTRY)


def serve(port: int, ready: Callable[[], bool], host: str = "0.0.0.0") -> ThreadingHTTPServer:
    """Serve ``/metrics``, ``/healthz`` (the process answers) and ``/readyz`` (``ready()``) in a thread."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path == "/metrics":
                self._send(200, exposition(), CONTENT_TYPE_LATEST)
            elif self.path == "/healthz":
                self._send(200, b"ok\n")
            elif self.path == "/readyz":
                is_ready = ready()
                self._send(200 if is_ready else 503, b"ready\n" if is_ready else b"not ready\n")
            else:
                self._send(404, b"not found\n")

        def _send(self, code: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # scrapes every few seconds: keep the log quiet
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    threading.Thread(target=server.serve_forever, name="simfarm-metrics", daemon=True).start()
    return server
