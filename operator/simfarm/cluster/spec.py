"""The VideoRequest API: spec (wanted) and status (observed) as pydantic models.

These models are the one source of truth for the CRD: ``simfarm.cluster.crd``
generates ``crds/videorequest.yaml`` from them, and the operator parses every
object's spec with them. Render limits are not repeated here: they are read
from :class:`simfarm.plan.models.RenderSettings`.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

from ..plan import vocabulary as vocab
from ..plan.models import (ENGINES, MAX_PROMPT_CHARS, MAX_SHOTS, MAX_STORY_CHARS, Engine, PassName, RenderSettings,
                           check_passes)
from ..plan.shots import ShotSpec

GROUP = "simfarm.dev"
VERSION = "v1alpha1"
KIND = "VideoRequest"
PLURAL = "videorequests"
SINGULAR = "videorequest"
SHORT_NAMES = ("vr",)

MAX_VARIANTS = 10_000
MAX_SECONDS = 3_600
MAX_STATUS_OUTPUTS = 100  # status stays far below etcd's object size limit
MAX_REQUEST_CATALOGS = 50
CatalogName = Annotated[str, Field(min_length=1, max_length=253,
                                   pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]

Phase = Literal["Pending", "Planning", "Rendering", "Assembling", "Succeeded", "Failed"]
FINAL_PHASES: tuple[str, ...] = ("Succeeded", "Failed")


class ApiModel(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def _same_as_render_settings(name: str, description: str | None = None, **extra: Any) -> Any:
    """A field with the limits and description of ``RenderSettings.<name>`` (``description`` overrides it)."""
    setting = RenderSettings.model_fields[name]
    bounds = {key: value for rule in setting.metadata for key, value in dataclasses.asdict(rule).items()}
    return Field(description=description or setting.description, **bounds, **extra)


def _pass_rules() -> list[dict[str, str]]:
    """CEL rules, from ``vocabulary.ENGINE_PASSES``: the API server refuses a pass the engine cannot make.

    A spec without an engine gets the operator's default (``render.defaultEngine``), which the API server
    does not know: the operator checks those when it plans."""
    rules = []
    for name in vocab.PASSES:
        engines = [engine for engine in ENGINES if name in vocab.ENGINE_PASSES[engine]]
        if len(engines) < len(ENGINES):
            listed = ", ".join(f"'{engine}'" for engine in engines)
            rules.append({"rule": f"!has(self.passes) || !('{name}' in self.passes) || !has(self.engine) "
                                  f"|| self.engine in [{listed}]",
                          "message": f"the {name} pass needs engine {' or '.join(engines)}"})
    return rules


class RenderSpec(ApiModel):
    """Render settings; the length is given either in seconds or in frames, never both."""

    model_config = ConfigDict(json_schema_extra={
        "oneOf": [{"required": ["seconds"]}, {"required": ["frames"]}],
        "x-kubernetes-validations": [{
            "rule": "has(self.seconds) != has(self.frames)",
            "message": "set exactly one of seconds or frames",
        }, *_pass_rules()],
    })

    width: int = _same_as_render_settings("width", default=RenderSettings().width, multiple_of=2)
    height: int = _same_as_render_settings("height", default=RenderSettings().height, multiple_of=2)
    fps: int = _same_as_render_settings("fps", "Frames per second of the video", default=RenderSettings().fps)
    seconds: float | None = Field(None, gt=0, le=MAX_SECONDS, description="Clip length; frames = ceil(seconds × fps)")
    frames: int | None = _same_as_render_settings("frames", "Clip length in frames (instead of seconds)",
                                                  default=None)
    engine: Engine | None = Field(None, description="Blender render engine: WORKBENCH (fastest, flat shading), EEVEE "
                                                    "(real-time), CYCLES (path tracing, denoised); default: the "
                                                    "operator's (chart value render.defaultEngine, CYCLES)")
    samples: int = _same_as_render_settings("samples", default=RenderSettings().samples)
    passes: list[PassName] = Field(default_factory=list, max_length=len(vocab.PASSES),
                                   json_schema_extra={"x-kubernetes-list-type": "set"},
                                   description=RenderSettings.model_fields["passes"].description)

    @model_validator(mode="after")
    def _one_length(self) -> "RenderSpec":
        if (self.seconds is None) == (self.frames is None):
            raise ValueError("render: set exactly one of seconds or frames")
        return self

    @model_validator(mode="after")
    def _passes_the_engine_makes(self) -> "RenderSpec":
        if len(set(self.passes)) != len(self.passes):
            raise ValueError(f"passes are listed twice: {self.passes}")
        if self.engine is not None:  # else checked against the operator's default engine by settings()
            check_passes(self.engine, self.passes)
        return self

    def settings(self, default_engine: Engine = RenderSettings().engine) -> RenderSettings:
        """The plan's render settings (checks the limits the CRD cannot express, e.g. seconds × fps);
        ``default_engine`` when the spec names none."""
        frames = self.frames if self.frames is not None else math.ceil(self.seconds * self.fps)
        return RenderSettings(width=self.width, height=self.height, fps=self.fps, frames=frames,
                              engine=self.engine or default_engine, samples=self.samples, passes=self.passes)


class Resources(ApiModel):
    gpu: int = Field(1, ge=0, le=16, description="GPUs per render pod (assembly uses none)")
    gpu_resource: str | None = Field(
        None, min_length=1, description="Extended resource name of the GPU; default: the operator's "
                                        "(chart value render.gpuResource, nvidia.com/gpu)")
    cpu: str = Field("2", min_length=1, description="CPU request and limit per render pod")
    memory: str = Field("8Gi", min_length=1, description="Memory request and limit per render pod")


class Toleration(ApiModel):
    """A Kubernetes pod toleration."""

    key: str | None = Field(None, description="Taint key; unset, with operator Exists, matches every taint")
    operator: Literal["Exists", "Equal"] | None = Field(None, description="Equal (the default) or Exists")
    value: str | None = Field(None, description="Taint value, with operator Equal")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = Field(
        None, description="Taint effect to tolerate; unset: every effect")
    toleration_seconds: int | None = Field(None, description="With NoExecute: how long the pod stays after the "
                                                             "taint appears")


class Output(ApiModel):
    bucket: str = Field("simfarm", min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$",
                        description="S3 bucket of the plan and videos; the operator creates it if missing")
    prefix: str = Field("", max_length=512, description="Key prefix inside the bucket")
    s3_secret_ref: str | None = Field(
        None, min_length=1, max_length=253,
        description="Secret with the workers' S3 endpoint and credentials; default: the operator's setting")
    delete_on_removal: bool = Field(False, description="Delete the request's objects when the request is deleted")


class Rewriter(ApiModel):
    backend: Literal["rules", "llm"] = Field(
        "rules", description="How the prompt becomes scenes: rules (embedded, offline) or llm (a chat model; "
                             "the rules rewriter takes over if it fails)")
    model: str | None = Field(None, min_length=1, description="Chat model of the llm backend; default: the "
                                                               "endpoint Secret's model, else the operator's")
    endpoint_secret_ref: str | None = Field(
        None, min_length=1, max_length=253,
        description="Secret in the request's namespace with the llm endpoint: keys baseUrl, apiKey and "
                    "optionally model; default: the operator's endpoint (chart values rewriter.llm.*)")


class Assets(ApiModel):
    licenses: list[str] = Field(default_factory=list, description="Use only assets under these licenses or "
                                                                  "versions of them, e.g. [CC0] for a dataset "
                                                                  "without attribution duties; empty: any")
    catalogs: list[CatalogName] | None = Field(
        None, max_length=MAX_REQUEST_CATALOGS,
        description="AssetCatalogs of the request's namespace to take assets from, besides the built-in "
                    "library (the request waits while one is importing); unset: every Ready catalog of the "
                    "namespace; []: the built-in library only")


SOURCES = ("prompt", "story", "shots")


class VideoRequestSpec(ApiModel):
    """What to render: a prompt (one shot per video), or a film — a story or a shot list."""

    model_config = ConfigDict(json_schema_extra={
        "oneOf": [{"required": [source]} for source in SOURCES],
        "x-kubernetes-validations": [{
            "rule": " + ".join(f"(has(self.{source}) ? 1 : 0)" for source in SOURCES) + " == 1",
            "message": "set exactly one of prompt, story or shots",
        }],
    })

    prompt: str | None = Field(None, min_length=1, max_length=MAX_PROMPT_CHARS,
                               description="What the videos show, in words (one shot each)")
    story: str | None = Field(None, min_length=1, max_length=MAX_STORY_CHARS,
                              description="A film instead: a story told in shots, one per sentence (or as the llm "
                                          "rewriter splits it); every shot is render's length")
    shots: list[ShotSpec] | None = Field(None, min_length=1, max_length=MAX_SHOTS,
                                         description="A film instead: its shots in order, each with its own words "
                                                     "and optionally length, camera move and framing")
    variants: int = Field(1, ge=1, le=MAX_VARIANTS, description="How many differently seeded videos to make "
                                                                "(a film's variants keep the story)")
    seed: int = Field(0, ge=0, description="Same prompt, seed and settings give the same videos")
    render: RenderSpec = Field(default_factory=lambda: RenderSpec(frames=RenderSettings().frames),
                               description="Size, length, frame rate and engine of every video (the length of "
                                           "each shot of a film that gives none)")
    frames_per_shard: int = Field(0, ge=0, description="Frames per render pod; 0 renders each variant in one pod")
    parallelism: int = Field(4, ge=1, le=1000, description="Render pods running at once")
    resources: Resources = Field(default_factory=Resources, description="Compute of each render pod")
    node_selector: dict[str, str] = Field(
        default_factory=dict, description="Node labels of the render and assemble pods; empty: the operator's "
                                          "default (chart value render.nodeSelector)")
    tolerations: list[Toleration] = Field(
        default_factory=list, description="Taints the render and assemble pods tolerate; empty: the operator's "
                                          "default (chart value render.tolerations)")
    priority_class_name: str | None = Field(None, min_length=1, max_length=253,
                                            description="PriorityClass of the render and assemble pods")
    queue_name: str | None = Field(None, min_length=1, max_length=63,
                                   description="Kueue LocalQueue (sets the kueue.x-k8s.io/queue-name label); "
                                               "default: the operator's (the chart's LocalQueue with kueue.enabled)")
    output: Output = Field(default_factory=Output, description="Where the plan and videos are stored")
    rewriter: Rewriter = Field(default_factory=Rewriter, description="How the prompt is turned into scenes")
    assets: Assets = Field(default_factory=Assets, description="Which catalog assets the scenes may use")
    retries: int = Field(2, ge=0, le=10, description="Retries per shard (the Job's backoffLimitPerIndex)")
    ttl_seconds_after_finished: int | None = Field(None, ge=0, description="Delete finished Jobs after this long")

    @model_validator(mode="after")
    def _one_source(self) -> "VideoRequestSpec":
        given = [source for source in SOURCES if getattr(self, source) is not None]
        if len(given) != 1:
            raise ValueError(f"set exactly one of prompt, story or shots, got {' and '.join(given) or 'none'}")
        return self

    @property
    def is_film(self) -> bool:
        return self.prompt is None


class Condition(ApiModel):
    type: str = Field(description="Planned, Ready, PartiallyFailed or SpecRejected")
    status: Literal["True", "False", "Unknown"] = Field(description="Whether the condition holds")
    reason: str = Field("", description="One CamelCase word saying why")
    message: str = Field("", description="Why, for people")
    last_transition_time: str = Field("", description="When status last changed")
    observed_generation: int | None = Field(None, description="The spec generation the condition is about")


class ShardCounts(ApiModel):
    total: int = Field(0, description="Render shards of the request")
    succeeded: int = Field(0, description="Shards rendered")
    failed: int = Field(0, description="Shards failed for good (retries used up, or invalid input)")
    running: int = Field(0, description="Shards with a pod running now")


class FilmOutput(ApiModel):
    shots: int = Field(description="Shots of the film, cut at the frames film.json lists")
    script: str = Field(description="The timed script: WebVTT, one cue per shot with its caption (captions.vtt)")
    film: str = Field(description="Shots with frame ranges, entities with their assets, sets (film.json)")
    ground_truth: str = Field(description="Where each shot's annotations.json is: <this>/<shot>/annotations.json")


class VariantOutput(ApiModel):
    variant: int = Field(description="Variant index, from 0")
    uri: str = Field(description="Where the video is (s3:// URI)")
    url: str = Field("", description="Presigned download URL (expires)")
    caption: str = Field("", description="What the video shows, generated from its plan")
    credits: str = Field("", description="Where the credits of the video's assets are (credits.txt)")
    annotations: str = Field("", description="Where the video's per-frame ground truth is (annotations.json)")
    film: FilmOutput | None = Field(None, description="A film's timed script, shot list and per-shot ground truth")


class PlanSummary(ApiModel):
    uri: str = Field(description="Where plan.json is")
    variants: int = Field(description="Variants planned")
    shards: int = Field(description="Render shards (pods) in all")
    frames_per_variant: int = Field(description="Frames of each video")
    frames_per_shard: int = Field(description="Frames per render shard; 0: one shard per variant (per shot of a "
                                              "film)")
    shot_frames: list[int] | None = Field(None, description="A film's shots: the frames of each, in order")
    rewriter: str = Field(description="The rewriter that made the scenes (rules after an llm failure)")
    warnings: list[str] = Field(default_factory=list, description="What planning could not honour (the first 20)")

    @property
    def clips(self) -> list[int]:
        """Frames of each clip of a variant (see ``sharding``): the shots', or the one video's."""
        return self.shot_frames or [self.frames_per_variant]


class VideoRequestStatus(ApiModel):
    phase: Phase = Field("Pending", description="Pending, Planning, Rendering, Assembling, Succeeded or Failed")
    message: str = Field("", description="How the request ended, for people")
    observed_generation: int | None = Field(None, description="The spec generation that was planned")
    conditions: list[Condition] = Field(default_factory=list, description="Planned, Ready, PartiallyFailed, "
                                        "SpecRejected", json_schema_extra={
                                            "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]})
    plan: PlanSummary | None = Field(None, description="What was planned, once planning is done")
    shards: ShardCounts = Field(default_factory=ShardCounts, description="Render shards by state")
    progress: str = Field("", description="Succeeded render shards / all render shards, e.g. 12/40")
    outputs: list[VariantOutput] = Field(
        default_factory=list, description=f"The first {MAX_STATUS_OUTPUTS} variants' videos")
    failed_variants: list[int] = Field(default_factory=list, description="Variants without a video")
    failures: list[str] = Field(default_factory=list, description="Why variants failed (the first 100)")
    planned_spec: VideoRequestSpec | None = Field(
        None, description="The spec as planned; later spec edits are rejected (condition SpecRejected)")
    start_time: str | None = Field(None, description="When the operator took the request")
    stage_start_time: str | None = Field(None, description="When the current phase began")
    completion_time: str | None = Field(None, description="When the request reached Succeeded or Failed")
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage")


# ---- AssetCatalog: a catalog source imported into the shared vector store ----

CATALOG_KIND = "AssetCatalog"
CATALOG_PLURAL = "assetcatalogs"
CATALOG_SINGULAR = "assetcatalog"
CATALOG_SHORT_NAMES = ("acat",)
CatalogPhase = Literal["Pending", "Importing", "Ready", "Failed"]
SourceUrl = Annotated[str, Field(min_length=6, max_length=2048, pattern=r"^(https|http|s3)://\S+$")]
MIN_REFRESH = "5m"


class CatalogSource(ApiModel):
    """Where the records are; one format per catalog."""

    model_config = ConfigDict(json_schema_extra={"x-kubernetes-validations": [
        {"rule": "self.format == 'cap3d' ? has(self.objectPaths) : !has(self.objectPaths) && "
                 "!has(self.objectsBase)",
         "message": "objectPaths (and objectsBase) go with format cap3d, which needs objectPaths"}]})

    format: Literal["polyhaven", "cap3d", "sweethome3d", "jsonl"] = Field(
        description="polyhaven: Poly Haven records (JSON, {id: {name, tags, categories, url | maps, type}}); "
                    "cap3d: Cap3D captions (CSV uid,caption) located by objectPaths; sweethome3d: a Sweet Home "
                    "3D furniture library (.sh3f); jsonl: one catalog entry per line")
    url: SourceUrl = Field(description="The records (or the library): https://, http:// or s3:// (read with "
                                       "s3SecretRef); gzip is undone")
    object_paths: SourceUrl | None = Field(
        None, description="cap3d: Objaverse's object-paths.json(.gz), uid -> glbs/<shard>/<uid>.glb")
    objects_base: SourceUrl | None = Field(
        None, description="cap3d: what objectPaths' paths are relative to; default: the folder of objectPaths")
    s3_secret_ref: str | None = Field(
        None, min_length=1, max_length=253,
        description="Secret with the S3 endpoint and credentials for s3:// URLs (keys as the chart's S3 "
                    "Secret); default: the operator's. Render pods read s3:// assets with the request's")

    @model_validator(mode="after")
    def _cap3d_paths(self) -> "CatalogSource":
        if (self.format == "cap3d") != (self.object_paths is not None) or (
                self.objects_base is not None and self.format != "cap3d"):
            raise ValueError("source: objectPaths (and objectsBase) go with format cap3d, which needs objectPaths")
        return self


class AssetCatalogSpec(ApiModel):
    source: CatalogSource = Field(description="Where the records are and how they are written")
    kinds: list[Literal["object", "hdri", "material"]] = Field(
        default_factory=list, max_length=3, description="Kinds of entries to import; empty: every kind the "
                                                        "source holds")
    licenses: list[str] = Field(default_factory=list, description="Import only entries under these licenses or "
                                                                  "versions of them, e.g. [CC0]; empty: any")
    refresh_interval: str | None = Field(
        None, pattern=r"^([0-9]+(\.[0-9]+)?(h|m|s))+$",
        description=f"Import again this long after the last import (a duration such as 24h or 1h30m, at least "
                    f"{MIN_REFRESH}; only changed records are embedded); unset: only when the spec changes",
        json_schema_extra={"x-kubernetes-validations": [
            {"rule": f"duration(self) >= duration('{MIN_REFRESH}')", "message": f"at least {MIN_REFRESH}"}]})


    @field_validator("refresh_interval")
    @classmethod
    def _at_least_the_minimum(cls, value: str | None) -> str | None:
        if value is not None and duration_seconds(value) < duration_seconds(MIN_REFRESH):
            raise ValueError(f"at least {MIN_REFRESH}")
        return value

    def refresh_seconds(self) -> float | None:
        return None if self.refresh_interval is None else duration_seconds(self.refresh_interval)


def duration_seconds(text: str) -> float:
    """A Go-style duration ("1h30m", "90s") in seconds."""
    return sum(float(number) * {"h": 3600, "m": 60, "s": 1}[unit]
               for number, unit in re.findall(r"([0-9]+(?:\.[0-9]+)?)(h|m|s)", text))


class CatalogCounts(ApiModel):
    object: int = Field(0, description="Object entries")
    hdri: int = Field(0, description="HDRI (background) entries")
    material: int = Field(0, description="Material (floor) entries")


class AssetCatalogStatus(ApiModel):
    phase: CatalogPhase = Field("Pending", description="Pending, Importing, Ready or Failed")
    message: str = Field("", description="What the last import did, or why it failed")
    source: str = Field("", description="The name plan.json gives this catalog's assets (asset.catalog): "
                                        "<namespace>/<name>")
    observed_generation: int | None = Field(None, description="The spec generation last imported")
    import_job: str = Field("", description="The import Job running now, or the last one")
    import_generation: int | None = Field(None, description="The spec generation that Job imports")
    import_round: int = Field(0, description="Imports of this generation so far, refreshes included")
    progress: str = Field("", description="While importing: records read and entries embedded so far")
    counts: CatalogCounts = Field(default_factory=CatalogCounts, description="Entries per kind")
    entries: int = Field(0, description="Entries in all")
    records: int = Field(0, description="Records the last import read")
    rejected: int = Field(0, description="Records the last import rejected (the others were imported)")
    rejected_records: list[str] = Field(
        default_factory=list, description="The first rejected records: their position and why (never their text)")
    skipped: int = Field(0, description="Records of other kinds or licenses, not imported")
    last_import_time: str | None = Field(None, description="When the last successful import finished")
    last_attempt_time: str | None = Field(None, description="When the last import, successful or not, ended "
                                                            "(refreshIntervals count from it)")
    conditions: list[Condition] = Field(default_factory=list, description="Ready, RecordsRejected",
                                        json_schema_extra={"x-kubernetes-list-type": "map",
                                                           "x-kubernetes-list-map-keys": ["type"]})
