"""``simfarm verify``: re-check every caption claim against the scene's geometry.

Give it a ``plan.json``, a request's output folder (or ``s3://`` prefix)
holding one, or one variant's ``annotations.json``. Claims are checked on
the plan's own camera path and, wherever the worker left an
``annotations.json``, on the geometry it measured in Blender (a film's
shots each on their own clip and ``shots/<s>/annotations.json``; rows say
``variant/shot``). It prints one row per claim and exits 1 if any is false,
so it can gate a dataset.
"""

from __future__ import annotations

import argparse
import json
import posixpath
import sys
from dataclasses import dataclass

from pydantic import ValidationError

from ..errors import InputError
from ..storage import ObjectNotFound, RequestLayout, Storage, StorageError, is_s3_uri
from . import annotations
from .claims import ClaimCheck, check_all
from .models import Claim, RequestPlan
from .visibility import sample_frames, track_from_plan

PLAN_FRAMES = 2000  # at most this many frames of a long clip are checked from the plan


@dataclass(frozen=True)
class Row:
    variant: int
    source: str  # "plan" or "annotations"
    check: ClaimCheck
    shot: int | None = None  # the film shot, None outside films

    @property
    def where(self) -> str:
        return str(self.variant) if self.shot is None else f"{self.variant}/{self.shot}"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify", help="check every caption claim against the scene geometry",
        description="Re-check the caption claims of a plan.json, a request's output folder or s3:// prefix, or an "
                    "annotations.json against the geometry; exit 1 if any claim is false.")
    parser.add_argument("target", help="plan.json, an output folder or s3:// prefix holding one, or annotations.json")
    parser.add_argument("--json", action="store_true", help="print one JSON object per claim instead of a table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    rows = list(_rows(args.target, Storage()))
    if not rows:
        raise InputError(f"{args.target}: no caption claims to check (a plan made by an older simfarm?)")
    _print(rows, args.json)
    false = sum(not row.check.holds for row in rows)
    print(f"{len(rows) - false} of {len(rows)} claims hold" + (f"; {false} are false" if false else ""),
          file=sys.stderr)
    return 1 if false else 0


def _read(store: Storage, location: str) -> str | None:
    try:
        return store.get_bytes(location).decode("utf-8")
    except ObjectNotFound:
        return None
    except (StorageError, OSError) as error:
        raise InputError(f"cannot read {location}: {error}") from None


def _rows(target: str, store: Storage):
    if target.endswith(".json") and posixpath.basename(target) != "plan.json":
        text = _read(store, target)
        if text is None:
            raise InputError(f"{target}: no such file")
        yield from _annotation_rows(json.loads(text), target)
        return
    base = posixpath.dirname(target) if target.endswith("plan.json") else target.rstrip("/")
    layout = RequestLayout(base if is_s3_uri(base) else base or ".")
    text = _read(store, layout.plan)
    if text is None:
        raise InputError(f"{target}: no plan.json there")
    try:
        plan = RequestPlan.model_validate_json(text)
    except ValidationError as error:
        raise InputError(f"{layout.plan}: not a simfarm plan: {error.errors()[0]['msg']}") from None
    for variant in plan.variants:  # a film's shots are scenes of their own, each with its own clip
        settings = plan.clip_settings(variant)
        track = track_from_plan(variant, settings, sample_frames(settings.frames, PLAN_FRAMES))
        for check in check_all(variant.claims, track, settings.fps):
            yield Row(variant.index, "plan", check, variant.shot)
        measured = _read(store, layout.annotations(variant.index) if variant.shot is None
                         else layout.shot_annotations(variant.index, variant.shot))
        if measured is not None:
            doc = json.loads(measured)
            for check in check_all(variant.claims, annotations.track_from_document(doc), settings.fps):
                yield Row(variant.index, "annotations", check, variant.shot)


def _annotation_rows(doc: dict, where: str):
    """Claims an annotations.json lists, re-checked on the geometry it holds."""
    try:
        track = annotations.track_from_document(doc)
        claims = [Claim(kind=c["kind"], objects=[i - 1 for i in c["objects"]], value=c["value"],
                        first_frame=c["first_frame"], last_frame=c["last_frame"], sentence=c["sentence"])
                  for c in doc.get("claims", [])]
    except (KeyError, TypeError, ValueError, ValidationError) as error:
        raise InputError(f"{where}: not a simfarm annotations file: {error}") from None
    for check in check_all(claims, track, doc["fps"]):
        yield Row(doc.get("variant", 0), "annotations", check, doc.get("shot"))


def _print(rows: list[Row], as_json: bool) -> None:
    if as_json:
        for row in rows:
            claim = row.check.claim
            print(json.dumps({"variant": row.variant, "shot": row.shot, "source": row.source, "kind": claim.kind,
                              "value": claim.value, "objects": claim.objects, "first_frame": claim.first_frame,
                              "last_frame": claim.last_frame, "holds": row.check.holds,
                              "frames": annotations.frame_ranges(row.check.frames), "measured": row.check.measured,
                              "sentence": claim.sentence}))
        return
    print(f"{'variant':>7}  {'source':<11}  {'claim':<22}  {'frames true':<16}  {'holds':<5}  sentence")
    for row in rows:
        claim = row.check.claim
        what = f"{claim.kind} {claim.value}".strip()
        spans = ",".join(f"{a}-{b}" if a != b else f"{a}" for a, b in annotations.frame_ranges(row.check.frames))
        print(f"{row.where:>7}  {row.source:<11}  {what:<22}  {spans or '-':<16}  "
              f"{'yes' if row.check.holds else 'NO':<5}  {claim.sentence}")
