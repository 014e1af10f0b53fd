"""Reading ``plan.json`` and finding where a request's outputs go."""

from __future__ import annotations

from pydantic import ValidationError

from simfarm.plan.credits import credits_text
from simfarm.plan.models import RequestPlan, ScenePlan
from simfarm.storage import RequestLayout

from . import locations
from .errors import PermanentError


def load_plan(uri: str) -> RequestPlan:
    text = locations.read_text(uri)
    try:
        return RequestPlan.model_validate_json(text)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '<root>'}: {e['msg']}" for e in error.errors()[:3])
        more = f" (+{error.error_count() - 3} more)" if error.error_count() > 3 else ""
        raise PermanentError(f"invalid plan {uri}: {problems}{more}") from error


def output_layout(plan_uri: str, out: str | None) -> RequestLayout:
    """Outputs go under ``out``, by default beside plan.json."""
    return RequestLayout(out or locations.parent(plan_uri))


def publish_texts(variant: ScenePlan, layout: RequestLayout, index: int) -> None:
    """The caption and the credits of the assets, beside the variant's video."""
    locations.publish_text(variant.caption, layout.caption(index))
    locations.publish_text(credits_text(variant), layout.credits(index))
