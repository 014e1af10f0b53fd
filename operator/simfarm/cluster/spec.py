"""The VideoRequest API: spec (wanted) and status (observed) as pydantic models.

These models are the one source of truth for the CRD: ``simfarm.cluster.crd``
generates ``crds/videorequest.yaml`` from them, and the operator parses every
object's spec with them. Render limits are not repeated here: they are read
from :class:`simfarm.plan.models.RenderSettings`.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from ..plan.models import MAX_PROMPT_CHARS, Engine, RenderSettings

GROUP = "simfarm.dev"
VERSION = "v1alpha1"
KIND = "VideoRequest"
PLURAL = "videorequests"
SINGULAR = "videorequest"
SHORT_NAMES = ("vr",)

MAX_VARIANTS = 10_000
MAX_SECONDS = 3_600
MAX_STATUS_OUTPUTS = 100  # status stays far below etcd's object size limit

Phase = Literal["Pending", "Planning", "Rendering", "Assembling", "Succeeded", "Failed"]
FINAL_PHASES: tuple[str, ...] = ("Succeeded", "Failed")


class ApiModel(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _same_as_render_settings(name: str, **extra: Any) -> Any:
    """A field with the limits and description of ``RenderSettings.<name>``."""
    setting = RenderSettings.model_fields[name]
    bounds = {key: value for rule in setting.metadata for key, value in dataclasses.asdict(rule).items()}
    return Field(description=setting.description, **bounds, **extra)


class RenderSpec(ApiModel):
    """Render settings; the length is given either in seconds or in frames, never both."""

    model_config = ConfigDict(json_schema_extra={
        "oneOf": [{"required": ["seconds"]}, {"required": ["frames"]}],
        "x-kubernetes-validations": [{
            "rule": "has(self.seconds) != has(self.frames)",
            "message": "set exactly one of seconds or frames",
        }],
    })

    width: int = _same_as_render_settings("width", default=RenderSettings().width, multiple_of=2)
    height: int = _same_as_render_settings("height", default=RenderSettings().height, multiple_of=2)
    fps: int = _same_as_render_settings("fps", default=RenderSettings().fps)
    seconds: float | None = Field(None, gt=0, le=MAX_SECONDS, description="Clip length; frames = ceil(seconds × fps)")
    frames: int | None = _same_as_render_settings("frames", default=None)
    engine: Engine = RenderSettings().engine
    samples: int = _same_as_render_settings("samples", default=RenderSettings().samples)

    @model_validator(mode="after")
    def _one_length(self) -> "RenderSpec":
        if (self.seconds is None) == (self.frames is None):
            raise ValueError("render: set exactly one of seconds or frames")
        return self

    def settings(self) -> RenderSettings:
        """The plan's render settings (checks the limits the CRD cannot express, e.g. seconds × fps)."""
        frames = self.frames if self.frames is not None else math.ceil(self.seconds * self.fps)
        return RenderSettings(width=self.width, height=self.height, fps=self.fps, frames=frames,
                              engine=self.engine, samples=self.samples)


class Resources(ApiModel):
    gpu: int = Field(1, ge=0, le=16, description="GPUs per render pod")
    gpu_resource: str = Field("nvidia.com/gpu", min_length=1, description="Extended resource name of the GPU")
    cpu: str = Field("2", min_length=1, description="CPU request and limit per render pod")
    memory: str = Field("8Gi", min_length=1, description="Memory request and limit per render pod")


class Toleration(ApiModel):
    key: str | None = None
    operator: Literal["Exists", "Equal"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: int | None = None


class Output(ApiModel):
    bucket: str = Field("simfarm", min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
    prefix: str = Field("", max_length=512, description="Key prefix inside the bucket")
    s3_secret_ref: str | None = Field(
        None, min_length=1, max_length=253,
        description="Secret with the workers' S3 endpoint and credentials; default: the operator's setting")
    delete_on_removal: bool = Field(False, description="Delete the request's objects when the request is deleted")


class Rewriter(ApiModel):
    backend: Literal["rules", "llm"] = "rules"
    model: str | None = Field(None, min_length=1, description="Chat model name for the llm backend")
    endpoint_secret_ref: str | None = Field(
        None, min_length=1, max_length=253, description="Secret with the llm endpoint URL and API key")


class VideoRequestSpec(ApiModel):
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    variants: int = Field(1, ge=1, le=MAX_VARIANTS, description="How many differently seeded videos to make")
    seed: int = Field(0, ge=0, description="Same prompt, seed and settings give the same videos")
    render: RenderSpec = Field(default_factory=lambda: RenderSpec(frames=RenderSettings().frames))
    frames_per_shard: int = Field(0, ge=0, description="Frames per render pod; 0 renders each variant in one pod")
    parallelism: int = Field(4, ge=1, le=1000, description="Render pods running at once")
    resources: Resources = Field(default_factory=Resources)
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    priority_class_name: str | None = Field(None, min_length=1, max_length=253)
    queue_name: str | None = Field(None, min_length=1, max_length=63,
                                   description="Kueue LocalQueue (sets the kueue.x-k8s.io/queue-name label)")
    output: Output = Field(default_factory=Output)
    rewriter: Rewriter = Field(default_factory=Rewriter)
    retries: int = Field(2, ge=0, le=10, description="Retries per shard (the Job's backoffLimitPerIndex)")
    ttl_seconds_after_finished: int | None = Field(None, ge=0, description="Delete finished Jobs after this long")


class Condition(ApiModel):
    type: str
    status: Literal["True", "False", "Unknown"]
    reason: str = ""
    message: str = ""
    last_transition_time: str = ""
    observed_generation: int | None = None


class ShardCounts(ApiModel):
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    running: int = 0


class VariantOutput(ApiModel):
    variant: int
    uri: str
    url: str = Field("", description="Presigned download URL (expires)")
    caption: str = ""


class PlanSummary(ApiModel):
    uri: str = Field(description="Where plan.json is")
    variants: int
    shards: int
    frames_per_variant: int
    frames_per_shard: int
    rewriter: str
    warnings: list[str] = Field(default_factory=list)


class VideoRequestStatus(ApiModel):
    phase: Phase = "Pending"
    message: str = ""
    observed_generation: int | None = None
    conditions: list[Condition] = Field(default_factory=list, json_schema_extra={
        "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]})
    plan: PlanSummary | None = None
    shards: ShardCounts = Field(default_factory=ShardCounts)
    progress: str = Field("", description="Succeeded render shards / all render shards, e.g. 12/40")
    outputs: list[VariantOutput] = Field(
        default_factory=list, description=f"The first {MAX_STATUS_OUTPUTS} variants' videos")
    failed_variants: list[int] = Field(default_factory=list)
    failures: list[str] = Field(default_factory=list, description="Why variants failed (the first 100)")
    planned_spec: VideoRequestSpec | None = Field(
        None, description="The spec as planned; later spec edits are rejected (condition SpecRejected)")
    start_time: str | None = None
    stage_start_time: str | None = Field(None, description="When the current phase began")
    completion_time: str | None = None
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage")
