"""The plan: typed pydantic models, the one source of truth.

``ScenePlan`` is one variant (a superset of the Simverse "combination", same
field names where they exist). ``RequestPlan`` is what ``plan.json`` holds:
the prompt, the render settings and every variant; the sharding function,
the render worker and the operator all read it and nothing else.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import vocabulary as vocab

PLAN_SCHEMA_VERSION = 1
MAX_PROMPT_CHARS = 4000
MAX_STORY_CHARS = 8000
MAX_SHOTS = 50
MAX_FRAMES = 100_000  # of a video, a film's shots together

Engine = Literal["EEVEE", "CYCLES", "WORKBENCH"]
ENGINES: tuple[str, ...] = ("EEVEE", "CYCLES", "WORKBENCH")
PassName = Literal["depth", "segmentation", "flow"]
Placement = Annotated[int, Field(ge=0, le=8, description="Cell on the 3×3 grid, row-major from back-left")]
Degrees = Annotated[float, Field(description="Angle in degrees")]
Vec3 = tuple[float, float, float]
Metres = Annotated[float, Field(gt=0)]
Size3 = tuple[Metres, Metres, Metres]
# A person's pose (``vocabulary.pose_of`` reads it from a box): what the prompt states, and what the caption claims.
PoseName = Literal["standing", "sitting", "lying"]


class Model(BaseModel):
    """Base for every plan model: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class CatalogRef(Model):
    """A catalog entry chosen for a scene element, and how it was chosen.

    Empty until retrieval fills it. ``uri`` is ``procedural://…`` for the
    embedded catalog or an http(s)/s3 URL for imported ones; materials may
    carry one URI per texture map instead.
    """

    catalog: str = ""
    id: str = ""
    name: str = ""
    uri: str = ""
    maps: dict[str, str] = Field(default_factory=dict)
    query: str = Field("", description="The phrase that was searched for")
    score: float | None = Field(None, description="Retrieval score of the chosen entry")
    fallback: bool = Field(False, description="True when no entry matched and a default was used")
    stand_in: bool = Field(False, description="True when the entry is a near match, not the thing named (its "
                                              "name holds neither the noun nor a word of its family): captions "
                                              "name the entry")
    license: str = Field("", description="The entry's license, credited with every output that uses it")
    creator: str = Field("", description="The entry's creator, for the credits")
    size_m: Size3 | None = Field(None, description="The entry's real-world (width, depth, height) in metres")
    top_m: Metres | None = Field(None, description="Height of the entry's top surface (what stands on it rests "
                                                   "there), metres at life size; None: the top of its box")


class ObjectScale(Model):
    """How much larger or smaller than its real-world size an object is rendered ("a huge cat")."""

    factor: float = Field(gt=0, description="Multiplier on the asset's real-world size")
    name: str

    @model_validator(mode="after")
    def _known_name(self) -> "ObjectScale":
        if self.name not in vocab.SCALES_BY_NAME:
            raise ValueError(f"unknown scale {self.name!r}; known: {', '.join(vocab.SCALES_BY_NAME)}")
        return self


class Movement(Model):
    direction: vocab.Direction
    speed: float = Field(gt=0, le=5, description="Lengths of the object (the longer side of its footprint) per "
                                                 "second, so a car and a cup that move 'quickly' look alike")


class SceneObject(Model):
    name: str = Field(min_length=1, description="Object noun, e.g. 'car'")
    description: str = Field(min_length=1, description="Noun phrase with its adjectives, e.g. 'red vintage car'")
    color: str | None = None
    material: str | None = None
    asset: CatalogRef = Field(default_factory=CatalogRef)
    placement: Placement
    scale: ObjectScale
    movement: Movement | None = None
    camera_follow: bool = False
    on_top_of: int | None = Field(None, ge=0, description="Index of the supporting object")
    pose: PoseName | None = Field(None, description="The pose the prompt gives it ('a man sitting on a bench'): "
                                                    "the asset is chosen to show it")
    # Filled by the layout step (``plan.layout``) once the asset is known; the worker builds exactly this box.
    dimensions: Size3 | None = Field(None, description="Bounding box (width, depth, height) in metres, in the "
                                                       "object's own frame (front towards its -y)")
    heading: Degrees = Field(0.0, ge=0, lt=360, description="Turn about z; 0 faces the front towards -y")
    position: Vec3 | None = Field(None, description="World position of the bottom centre of the box at frame 1")

    @property
    def top_share(self) -> float:
        """Share of the box height at which objects stacked on this one rest (a chair's seat); 1: the box top."""
        size, top = self.asset.size_m, self.asset.top_m
        return min(1.0, top / size[2]) if size and top else 1.0


class Background(CatalogRef):
    """World lighting and backdrop (an HDRI or a procedural sky)."""


class StageMaterial(CatalogRef):
    """Floor material under the objects."""


class Stage(Model):
    material: StageMaterial = Field(default_factory=StageMaterial)
    uv_scale: tuple[float, float] = (1.0, 1.0)
    uv_rotation: Degrees = 0.0


class Orientation(Model):
    yaw: float = Field(ge=0, lt=360, description="Camera bearing about the scene centre, degrees")
    pitch: float = Field(ge=0, le=75, description="Camera look-down angle from the horizon, degrees")


class Framing(Model):
    name: str
    fov: Degrees = Field(gt=0, lt=180, description="Horizontal field of view")
    coverage_factor: float = Field(gt=0, description="Frame width divided by the focus object's size")
    # Filled by the layout step: where the camera rig stands and how far the camera is from it.
    target: Vec3 | None = Field(None, description="World point the rig turns about and the camera looks at")
    distance: float | None = Field(None, gt=0, description="Camera distance from the target, metres")

    @model_validator(mode="after")
    def _known_name(self) -> "Framing":
        if self.name not in vocab.FRAMINGS_BY_NAME:
            raise ValueError(f"unknown framing {self.name!r}; known: {', '.join(vocab.FRAMINGS_BY_NAME)}")
        return self


class RigKeyframe(Model):
    part: vocab.CameraRigPart
    position: tuple[float, float, float] | None = None
    rotation: tuple[float, float, float] | None = None
    fov_offset: float | None = None


class Animation(Model):
    name: str
    keyframes: list[RigKeyframe] = Field(default_factory=list, description="Start and end keys; empty when static")
    speed_factor: float = Field(1.0, gt=0, le=4, description="1.0 spans the keyframes over the whole clip")

    @model_validator(mode="after")
    def _known_name(self) -> "Animation":
        if self.name not in vocab.ANIMATIONS_BY_NAME:
            raise ValueError(f"unknown camera animation {self.name!r}; known: {', '.join(vocab.ANIMATIONS_BY_NAME)}")
        return self


class Bloom(Model):
    level: vocab.Level = vocab.Level.none
    intensity: float = Field(0.0, ge=0)
    threshold: float = Field(0.8, ge=0)
    radius: float = Field(6.5, ge=0)


class AmbientOcclusion(Model):
    level: vocab.Level = vocab.Level.none
    factor: float = Field(0.0, ge=0)
    distance: float = Field(0.2, ge=0)


class Reflections(Model):
    level: vocab.Level = vocab.Level.none
    max_roughness: float = Field(0.0, ge=0)
    thickness: float = Field(0.2, ge=0)


class MotionBlur(Model):
    level: vocab.Level = vocab.Level.none
    shutter_speed: float = Field(0.0, ge=0)


class Postprocessing(Model):
    bloom: Bloom = Field(default_factory=Bloom)
    ssao: AmbientOcclusion = Field(default_factory=AmbientOcclusion)
    ssrr: Reflections = Field(default_factory=Reflections)
    motionblur: MotionBlur = Field(default_factory=MotionBlur)


ClaimKind = Literal["visible", "relation", "stacked", "pose", "motion", "speed", "follow", "travel", "camera",
                    "pace", "shot", "angle"]


class Claim(Model):
    """One statement of the caption that the scene's geometry can prove or refute (see ``plan.claims``)."""

    kind: ClaimKind
    objects: list[int] = Field(default_factory=list, description="Indices of the objects it is about")
    value: str = Field("", description="What is claimed: a relation, direction, camera move, framing, …")
    first_frame: int = Field(ge=1, description="First frame it is claimed for")
    last_frame: int = Field(ge=1, description="Last frame it is claimed for")
    sentence: str = Field(description="The caption sentence that states it")


class ScenePlan(Model):
    """One variant, or one shot of a film variant: everything the worker needs to build and animate the scene."""

    index: int = Field(ge=0, description="The variant (the video) this scene belongs to")
    shot: int | None = Field(None, ge=0, description="The film shot this scene is; None outside films")
    seed: int = Field(ge=0)
    objects: list[SceneObject] = Field(min_length=1)
    background: Background = Field(default_factory=Background)
    stage: Stage = Field(default_factory=Stage)
    orientation: Orientation
    framing: Framing
    animation: Animation
    postprocessing: Postprocessing = Field(default_factory=Postprocessing)
    caption: str = ""
    claims: list[Claim] = Field(default_factory=list, description="What the caption says, each checkable")
    warnings: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent_objects(self) -> "ScenePlan":
        followers = [i for i, o in enumerate(self.objects) if o.camera_follow]
        if len(followers) > 1:
            raise ValueError(f"at most one object may have camera_follow, got objects {followers}")
        for i, obj in enumerate(self.objects):
            if obj.on_top_of is None:
                continue
            if not 0 <= obj.on_top_of < len(self.objects) or obj.on_top_of == i:
                raise ValueError(f"objects[{i}].on_top_of={obj.on_top_of} does not name another object")
            if self.objects[obj.on_top_of].placement != obj.placement:
                raise ValueError(f"objects[{i}] sits on objects[{obj.on_top_of}] but has another placement")
        _reject_support_cycles(self.objects)
        return self


def _reject_support_cycles(objects: list[SceneObject]) -> None:
    for start in range(len(objects)):
        seen, current = {start}, objects[start].on_top_of
        while current is not None:
            if current in seen:
                raise ValueError(f"objects[{start}] is part of an on_top_of cycle")
            seen.add(current)
            current = objects[current].on_top_of


class RenderSettings(Model):
    """How to render, separate from what to render."""

    width: int = Field(640, ge=16, le=7680, description="Pixels; even (H.264 4:2:0)")
    height: int = Field(360, ge=16, le=7680, description="Pixels; even (H.264 4:2:0)")
    fps: int = Field(24, ge=1, le=120)
    frames: int = Field(48, ge=1, le=MAX_FRAMES)
    engine: Engine = Field("CYCLES", description="CYCLES (path traced, denoised; the default), EEVEE, or "
                                                 "WORKBENCH (flat shading, fastest; previews and tests)")
    samples: int = Field(16, ge=1, le=65_536, description="Samples per pixel (EEVEE/CYCLES)")
    passes: list[PassName] = Field(
        default_factory=list, max_length=len(vocab.PASSES),
        description="Ground-truth passes written beside the video, losslessly: depth (metres, 32-bit EXR), "
                    "segmentation (instance ids of annotations.json), flow (forward optical flow in pixels)")

    @model_validator(mode="after")
    def _even_size(self) -> "RenderSettings":
        for axis in ("width", "height"):
            if getattr(self, axis) % 2:
                raise ValueError(f"{axis} must be even for H.264 yuv420p, got {getattr(self, axis)}")
        return self

    @model_validator(mode="after")
    def _passes_the_engine_makes(self) -> "RenderSettings":
        check_passes(self.engine, self.passes)
        return self


def check_passes(engine: str, passes: list[str]) -> None:
    """Refuse a pass the engine cannot make, saying which engines can (an empty file is no answer)."""
    if len(set(passes)) != len(passes):
        raise ValueError(f"passes are listed twice: {passes}")
    missing = [name for name in passes if name not in vocab.ENGINE_PASSES[engine]]
    if missing:
        makers = {name: [e for e in ENGINES if name in vocab.ENGINE_PASSES[e]] for name in missing}
        raise ValueError("; ".join(f"{engine} cannot render the {name} pass (use {' or '.join(makers[name])})"
                                   for name in missing))


class Entity(Model):
    """Someone or something of a film, the same in every shot it appears in (same asset, colour and size)."""

    id: str = Field(pattern=r"^e[0-9]+$")
    name: str = Field(min_length=1, description="Head noun, e.g. 'car'")
    description: str = Field(min_length=1, description="What every shot calls it, e.g. 'red vintage car'")
    color: str | None = None
    material: str | None = None
    scale: str = Field("medium", description="Size word every shot renders it at (a name of vocabulary.SCALES)")
    shots: list[int] = Field(min_length=1, description="The shots it appears in")


class FilmShot(Model):
    """One shot of a film: its words, where it lies in the film and who is in it."""

    index: int = Field(ge=0)
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="What the shot shows, in words")
    frames: int = Field(ge=1)
    first_frame: int = Field(ge=1, description="The shot's first frame in the film (1-based)")
    last_frame: int = Field(ge=1, description="The shot's last frame in the film")
    entities: list[str] = Field(min_length=1, description="The entity each of the shot's objects is, in object order")
    set: int = Field(0, ge=0, description="The set (background and floor) it plays in; shots of one set share it")
    cross_axis: bool = Field(False, description="The shot crosses the 180° line on purpose")


class Film(Model):
    """The story side of a multi-shot request: shots in order and the entities they share."""

    story: str = Field("", max_length=MAX_STORY_CHARS, description="The story the shots were read from, if any")
    shots: list[FilmShot] = Field(min_length=1, max_length=MAX_SHOTS)
    entities: list[Entity] = Field(min_length=1)

    @property
    def frames(self) -> int:
        return sum(shot.frames for shot in self.shots)

    @model_validator(mode="after")
    def _timeline(self) -> "Film":
        frame = 1
        known = {entity.id for entity in self.entities}
        for number, shot in enumerate(self.shots):
            if shot.index != number or (shot.first_frame, shot.last_frame) != (frame, frame + shot.frames - 1):
                raise ValueError(f"shot {number} must be index {number} spanning frames {frame}.."
                                 f"{frame + shot.frames - 1}, got index {shot.index}, "
                                 f"{shot.first_frame}..{shot.last_frame}")
            unknown = set(shot.entities) - known
            if unknown:
                raise ValueError(f"shot {number} names unknown entities {sorted(unknown)}")
            frame += shot.frames
        return self


class RequestPlan(Model):
    """Contents of ``plan.json``: one request, all its variants and how to render them.

    A film (``film`` set) keeps "a shot is planned like a variant" literally: ``variants`` holds one
    ScenePlan per (variant, shot), variant-major, so ``variants[v * len(film.shots) + s]`` is shot ``s``
    of video ``v``; each shot is a clip of its own (``clip_settings``) and ``settings.frames`` is the
    film's length.
    """

    schema_version: Literal[1] = PLAN_SCHEMA_VERSION
    prompt: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS)
    seed: int = Field(ge=0)
    rewriter: str = "rules"
    settings: RenderSettings = Field(default_factory=RenderSettings)
    frames_per_shard: int = Field(0, ge=0, description="0 renders each variant as one shard")
    licenses: list[str] = Field(default_factory=list, description="Only assets under these licenses or versions "
                                                                  "of them (CC0, CC-BY, …); empty: any")
    catalogs: list[str] | None = Field(None, description="The catalog sources assets were searched in (in a "
                                                         "cluster: the built-in library's and the AssetCatalogs' "
                                                         "namespace/name); None: every source of the catalog")
    film: Film | None = Field(None, description="The shots and entities of a multi-shot request")
    variants: list[ScenePlan] = Field(min_length=1)
    warnings: list[str] = Field(default_factory=list)

    def to_json(self) -> str:
        """Canonical JSON: same plan, same bytes."""
        return self.model_dump_json(indent=None)

    @property
    def variant_count(self) -> int:
        """How many videos the request makes."""
        return len(self.variants) // len(self.film.shots) if self.film else len(self.variants)

    def scenes_of(self, variant: int) -> list[ScenePlan]:
        """The scenes of one video: its shots in order, or its one scene."""
        if not 0 <= variant < self.variant_count:
            raise IndexError(f"variant {variant} is out of range: the plan has {self.variant_count} "
                             f"(0..{self.variant_count - 1})")
        count = len(self.film.shots) if self.film else 1
        return self.variants[variant * count:(variant + 1) * count]

    def clip_settings(self, scene: ScenePlan) -> RenderSettings:
        """The render settings of one scene's own clip: a film shot is as long as the shot."""
        if self.film is None or scene.shot is None:
            return self.settings
        return self.settings.model_copy(update={"frames": self.film.shots[scene.shot].frames})

    @model_validator(mode="after")
    def _film_scenes(self) -> "RequestPlan":
        if self.film is None:
            stray = [scene.index for scene in self.variants if scene.shot is not None]
            if stray:
                raise ValueError(f"variants {stray} name a shot, but the plan has no film")
            return self
        shots = self.film.shots
        if len(self.variants) % len(shots):
            raise ValueError(f"a film of {len(shots)} shots needs a multiple of {len(shots)} scenes, "
                             f"got {len(self.variants)}")
        if self.settings.frames != self.film.frames:
            raise ValueError(f"settings.frames is {self.settings.frames}, the shots add up to {self.film.frames}")
        for position, scene in enumerate(self.variants):
            variant, shot = divmod(position, len(shots))
            if (scene.index, scene.shot) != (variant, shot):
                raise ValueError(f"variants[{position}] must be variant {variant} shot {shot}, "
                                 f"got variant {scene.index} shot {scene.shot}")
            if len(scene.objects) != len(shots[shot].entities):
                raise ValueError(f"variant {variant} shot {shot} has {len(scene.objects)} objects for "
                                 f"{len(shots[shot].entities)} entities")
        for variant in range(self.variant_count):
            _same_entities_everywhere(self.film, self.scenes_of(variant), variant)
        return self


def _same_entities_everywhere(film: Film, scenes: list[ScenePlan], variant: int) -> None:
    """An entity is one asset, colour and size in every shot of a video."""
    looks: dict[str, tuple] = {}
    for shot, scene in zip(film.shots, scenes):
        for entity, obj in zip(shot.entities, scene.objects):
            look = (obj.asset.catalog, obj.asset.id, obj.asset.uri, obj.color, obj.material, obj.scale.factor,
                    obj.dimensions)
            if looks.setdefault(entity, look) != look:
                raise ValueError(f"variant {variant}: entity {entity} looks different in shot {shot.index} "
                                 f"({obj.description}) than before")
