"""The credits of a video: every asset a variant uses, with its creator, license and source.

A pure function of the plan (retrieval copies each entry's license and
creator into the plan), so the worker writes ``credits.txt`` beside the
caption, and anyone can recompute it from ``plan.json``. CC-BY assets must be
credited wherever the video goes; CC0 ones are listed too, as a courtesy and
so a dataset can show that it holds only what it may.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..retrieval.procedural import is_procedural
from .models import CatalogRef, ScenePlan

PROCEDURAL_NOTE = "procedural, made by simfarm from Blender primitives"


@dataclass(frozen=True)
class Credit:
    role: str  # "object", "background", "floor"
    name: str
    creator: str
    license: str
    catalog: str
    id: str

    def line(self) -> str:
        by = f" by {self.creator}" if self.creator else ""
        return f"{self.role}: {self.name}{by} — {self.license or 'license unknown'} ({self.catalog}:{self.id})"


def _credit(role: str, ref: CatalogRef) -> Credit | None:
    if not ref.id or is_procedural(ref.uri):
        return None
    return Credit(role, ref.name, ref.creator, ref.license, ref.catalog, ref.id)


def credits(*plans: ScenePlan) -> list[Credit]:
    """One credit per distinct asset of the variant (copies of an object share one), procedural ones left out.

    A film passes every shot's scene: an asset several shots show is credited once.
    """
    refs = [("object", obj.asset) for plan in plans for obj in plan.objects]
    refs += [ref for plan in plans for ref in (("background", plan.background), ("floor", plan.stage.material))]
    found: dict[tuple[str, str], Credit] = {}
    for role, ref in refs:
        credit = _credit(role, ref)
        if credit is not None:
            found.setdefault((credit.catalog, credit.id), credit)
    return list(found.values())


def credits_text(*plans: ScenePlan) -> str:
    """``credits.txt``: one line per asset, then the licenses in full words."""
    lines = [credit.line() for credit in credits(*plans)]
    if not lines:
        return f"All assets in this video are {PROCEDURAL_NOTE}; nothing to credit.\n"
    licenses = sorted({credit.license for credit in credits(*plans) if credit.license})
    header = "Assets used in this video" + (" (credit the creators of CC-BY assets wherever it is shown):"
                                            if any(license.upper().startswith("CC-BY") for license in licenses) else ":")
    return "\n".join([header, *lines, "", f"Licenses: {', '.join(licenses)}"]) + "\n"
