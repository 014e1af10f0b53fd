"""A film's entities and sets retrieved from the real catalog: once per film variant, the same in every shot."""

from __future__ import annotations

from simfarm.plan.models import RenderSettings, RequestPlan
from simfarm.plan.planner import Planner
from simfarm.retrieval.resolve import resolve_assets

STORY = ("A red vintage car waits beside a wooden cabin at sunset. The car drives to the left. "
         "A small brown dog runs after it. The dog sits on a marble floor in a kitchen. It looks at the car.")
TINY = RenderSettings(width=64, height=36, fps=8, frames=8, engine="WORKBENCH")


def test_one_retrieval_per_entity_and_set_and_the_same_asset_in_every_shot(catalog):
    asked: list[RequestPlan] = []

    def resolver(plan: RequestPlan) -> RequestPlan:
        asked.append(plan)
        return resolve_assets(plan, catalog)

    plan = Planner(resolver=resolver).plan_film(story=STORY, settings=TINY, variants=3, seed=5).plan
    film = plan.film
    sets = sorted({shot.set for shot in film.shots})
    assert len(sets) == 2  # the kitchen is a new place
    (cast,) = asked  # one call for the whole film
    assert len(cast.variants) == plan.variant_count * len(sets)
    assert all([o.description for o in scene.objects] == [e.description for e in film.entities]
               for scene in cast.variants)  # each entity searched once per variant, never per shot
    for variant in range(plan.variant_count):
        scenes = plan.scenes_of(variant)
        for entity in film.entities:
            assets = {(o.asset.catalog, o.asset.id, o.asset.uri) for shot, scene in zip(film.shots, scenes)
                      for o, e in zip(scene.objects, shot.entities) if e == entity.id}
            assert len(assets) == 1 and all(a[1] for a in assets), (variant, entity.description, assets)
        for number in sets:
            looks = {(s.background.id, s.stage.material.id, s.stage.uv_scale, s.stage.uv_rotation)
                     for shot, s in zip(film.shots, scenes) if shot.set == number}
            assert len(looks) == 1
    (car,) = [e for e in film.entities if e.name == "car"]
    assert car.shots == [0, 1, 4] and car.color == "red"
    red = {o.asset.uri for scene in plan.variants for o, e in zip(scene.objects, film.shots[scene.shot].entities)
           if e == car.id}
    assert all("color=red" in uri for uri in red if uri.startswith("procedural://"))
