"""Operator settings, read once from the environment (the Helm chart sets them)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import InputError

DEFAULT_RENDER_IMAGE = "ghcr.io/simfarm/render:0.1.0"


@dataclass(frozen=True)
class OperatorConfig:
    render_image: str = DEFAULT_RENDER_IMAGE
    s3_secret: str = "simfarm-s3"  # workers' S3 Secret when a request names none
    output_root: str | None = None  # a local directory or s3:// URI replacing s3://<bucket>/<prefix>
    presign_seconds: int = 7 * 24 * 3600
    poll_seconds: float = 10.0  # how often running requests look at their Jobs

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "OperatorConfig":
        env = os.environ if environ is None else environ
        try:
            return cls(
                render_image=env.get("SIMFARM_RENDER_IMAGE") or cls.render_image,
                s3_secret=env.get("SIMFARM_S3_SECRET") or cls.s3_secret,
                output_root=env.get("SIMFARM_OUTPUT_ROOT") or None,
                presign_seconds=int(env.get("SIMFARM_PRESIGN_SECONDS") or cls.presign_seconds),
                poll_seconds=float(env.get("SIMFARM_POLL_SECONDS") or cls.poll_seconds),
            )
        except ValueError as error:
            raise InputError(f"bad operator setting: {error}") from None
