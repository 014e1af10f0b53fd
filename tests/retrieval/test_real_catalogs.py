"""Retrieval on real catalogs: Poly Haven HDRI and texture records and the Sweet Home 3D libraries.

Each judged query lists the entries a person would accept (see
``simfarm.retrieval.judged``): ``tune`` queries shaped the ranking,
``heldout`` ones were kept out of it, ``blind`` ones were written before the
last round of tuning and never looked at query by query, ``fresh`` ones were
judged from the records alone before the round after that, ``unseen`` ones were
written and judged from the records by someone who never saw the ranking (the
other half of that batch, looked at, joined ``tune``), ``dev`` ones were written the same way a round later and
then looked at; each is reported on its own, with the ancestor-style baseline measured beside it in the same run.
The same catalog then plans a CC0-only request.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from simfarm.plan.credits import credits
from simfarm.plan.planner import Planner
from simfarm.plan.vocabulary import pose_of
from simfarm.retrieval import judged
from simfarm.retrieval.appearance import entry_words
from simfarm.retrieval.catalog import Catalog
from simfarm.retrieval.entries import CatalogKind, license_allowed
from simfarm.retrieval.library import installed_libraries
from simfarm.retrieval.ranking import query_facets, terms
from simfarm.retrieval.resolve import resolve_assets

DATA = Path(__file__).parent / "data"
RECORDS = {CatalogKind.hdri: DATA / "polyhaven_hdri_records.json",
           CatalogKind.material: DATA / "polyhaven_texture_records.json"}
# The floor this suite guards, under what is reached overall (the issue asks 0.90; see the report for what is
# reached per split): 0.874 over all 255 queries, 0.910 on ``tune``, 0.740 on ``unseen`` and 0.838 on ``dev``,
# the two sets written blind from the records alone.
PRECISION_FLOOR = 0.85


@pytest.fixture(scope="module")
def real_catalog(tmp_path_factory) -> Catalog:
    libraries = installed_libraries()
    if not libraries:
        if os.environ.get("CI") == "true":
            pytest.fail("the Sweet Home 3D libraries are not installed (make test installs them)")
        pytest.skip("the Sweet Home 3D libraries are not installed: run `make test-library`")
    catalog = judged.real_catalog(tmp_path_factory.mktemp("real-catalog-home"), RECORDS, libraries)
    assert len([e for e in catalog.entries(CatalogKind.object) if e.source.startswith("sweethome3d")]) >= 800
    return catalog


def test_real_catalog_precision_beats_the_baseline(real_catalog, report):
    results = judged.evaluate(real_catalog, judged.load(DATA / "judged_real_catalogs.json"))
    report.extend(judged.table(results))
    report.extend(judged.misses(results))
    ours, baseline = judged.overall(results)
    for split in ("tune", "heldout", "blind", "fresh", "unseen", "dev"):
        members = [j for j in results if j.item.split == split]
        assert members and sum(j.ours for j in members) >= sum(j.baseline for j in members), split
    assert ours >= PRECISION_FLOOR and ours > baseline, "\n".join(judged.misses(results))


PROMPTS = ("a red car parked next to a wooden bench in a park at sunset",
           "a dog and a cat on a sofa in a living room",
           "a woman standing beside a bicycle on a city street at night")


def test_a_cc0_only_request_uses_and_credits_only_cc0_assets(real_catalog):
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for prompt in PROMPTS:
        free = planner.plan(prompt, variants=3, seed=5, licenses=["CC0"]).plan
        anything = planner.plan(prompt, variants=3, seed=5).plan
        assert free.licenses == ["CC0"]
        for variant in free.variants:
            refs = [obj.asset for obj in variant.objects] + [variant.background, variant.stage.material]
            assert all(license_allowed(ref.license, ["CC0"]) for ref in refs), [(r.name, r.license) for r in refs]
            assert all(credit.license.startswith("CC0") for credit in credits(variant))
        # Without the restriction the same prompts reach CC-BY models: the filter, not the catalog, kept them out.
        assert any(credit.license.startswith("CC-BY") for variant in anything.variants for credit in credits(variant))


def test_a_shape_word_gets_the_shape_and_a_library_model_only_when_named(real_catalog):
    """"A blue cube" is the primitive cube, not the library's 5.6 cm Rubik's cube; "a Rubik's cube" is that."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for prompt, shape in (("a blue cube", "cube"), ("a cube next to a dog", "cube"), ("a red sphere", "sphere"),
                          ("two spheres on a table", "sphere")):
        shapes = [o for variant in planner.plan(prompt, variants=6, seed=3).plan.variants for o in variant.objects
                  if o.name == shape]
        assert len(shapes) >= 6 and all(o.asset.uri.startswith(f"procedural://object/{shape}") for o in shapes), \
            (prompt, [o.asset.name for o in shapes])
    unresolved = Planner().plan("a cube on a table", variants=1, seed=3).plan  # the rules read no "Rubik's"
    cube = next(o for o in unresolved.variants[0].objects if o.name == "cube")
    cube.description = cube.asset.query = "rubik's cube"
    named = resolve_assets(unresolved, real_catalog).variants[0]
    assert next(o for o in named.objects if o.name == "cube").asset.name == "Rubik's cube"


# A word people type for a thing the library names otherwise: a British word for an American name, a kind for its
# class ("conifers" for a Pine), "the woods" for a forest (never for wood). Every accepted name is a record the
# query means; none of them shares a word with it.
OTHER_WORDS_FOR_THE_THING = (
    (CatalogKind.object, "a baby's pushchair", {"Stroller"}),
    (CatalogKind.object, "a pram", {"Stroller"}),  # the 527th model by cosine alone: found by its name
    (CatalogKind.object, "a letterbox by the gate", {"Mailbox", "Letters box"}),
    (CatalogKind.object, "a torch for the power cut", {"Flashlight"}),
    (CatalogKind.object, "a row of conifers", {"Pine", "Cypress", "green wooden pine tree", "white wooden pine tree"}),
    (CatalogKind.object, "presents under the tree", {"Gift"}),
    (CatalogKind.hdri, "deep in the woods", {"J&E Gray 02", "Lilienstein", "Ninomaru garden"}),
)


@pytest.mark.parametrize("kind, query, accepted", OTHER_WORDS_FOR_THE_THING)
def test_a_thing_is_found_by_another_word_for_it(real_catalog, kind, query, accepted):
    """The word families (``facets.WORD_FAMILIES``, ``KINDS``) carry what MiniLM misses."""
    names = [hit.entry.name for hit in real_catalog.search(kind, query, top=3)]
    assert set(names[:2]) <= accepted if kind is CatalogKind.hdri else names[0] in accepted, (query, names)


# What each noun is, by its size (largest dimension, metres): a house one can live in, a ball one can kick, a tree
# one can stand beside. World knowledge, not the resolver's own figures.
SIZES_OF_THE_THING = (("a car parked in front of a house", "house", 2.5, 40.0),
                      ("a red ball next to a bench", "ball", 0.05, 0.6),
                      ("a tree beside a bench", "tree", 1.5, 40.0))


@pytest.mark.parametrize("prompt, noun, smallest, largest", SIZES_OF_THE_THING)
def test_a_noun_gets_that_thing_not_another_that_shares_its_name(real_catalog, prompt, noun, smallest, largest):
    """The library's "Dog house" and "Doll house" are no house, its 1.5 m "Punching ball" stand no ball, its 38 cm
    tabletop "Christmas tree" no tree beside a bench: every variant's model has the size of the thing named."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    chosen = [o.asset for variant in planner.plan(prompt, variants=8, seed=11).plan.variants
              for o in variant.objects if o.name == noun]
    assert len(chosen) == 8 and all(smallest <= max(a.size_m) <= largest for a in chosen), \
        [(a.name, a.size_m) for a in chosen]


@pytest.mark.parametrize("prompt, noun, plaything", [
    ("a red vintage car drives past a wooden cabin at sunset", "cabin", False),
    ("a chair next to a table in a kitchen", "chair", False),
    ("a toy car on a rug", "car", True),  # the library's "Car model" tagged Toy, not a Smart car
    ("a swing in a garden", "swing", True)])  # the library's only swings are children's: a swing it is
def test_a_plaything_is_chosen_only_where_asked_or_nothing_else_is_the_thing(real_catalog, prompt, noun, plaything):
    """The library's "Child hut" (a playhouse with a slide, tagged Game and Kid) names a hut, but a caption's
    "wooden cabin" is no playhouse; a plaything is the choice where the prompt asks for one or nothing else
    is the thing."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    chosen = [o.asset for variant in planner.plan(prompt, variants=8, seed=1).plan.variants
              for o in variant.objects if o.name == noun]
    entries = {e.id: e for e in real_catalog.entries(CatalogKind.object)}
    marked = [bool({"game", "kid", "kids", "toy", "child", "children"} & set(
        " ".join((entries[a.id].name, *entries[a.id].tags)).lower().split())) for a in chosen]
    assert len(chosen) == 8 and not any(a.stand_in or a.fallback for a in chosen), [a.name for a in chosen]
    assert all(marked) if plaything else not any(marked), [a.name for a in chosen]


def _outdoors(entry) -> bool:
    """The record files the model as outdoors: Sweet Home 3D's Exterior category, an Outdoor or Garden tag."""
    return bool({"exterior", "outdoor", "garden"} & {word.lower() for word in (*entry.categories, *entry.tags)})


def _indoors(entry) -> bool:
    """The record files the asset as a room's: Sweet Home 3D's rooms, Poly Haven's "indoor" category."""
    return bool({"living room", "kitchen", "bedroom", "bathroom", "office", "indoor"}
                & {word.lower() for word in (*entry.categories, *entry.tags)})


@pytest.mark.parametrize("query, outdoors", [
    ("a table on the patio", True), ("a lamp on the porch", True), ("a chair in the backyard", True),
    ("a bench on the terrace", True), ("a table in the kitchen", False), ("a chair in the bedroom", False),
    ("a bench in the hallway", False)])
def test_a_place_word_ranks_the_models_of_that_place_first(real_catalog, query, outdoors):
    """A patio, porch or backyard is outdoors and a hallway indoors (``facets.FACETS["place"]``): the library's
    garden furniture for the first, its rooms' furniture for the second."""
    top = [hit.entry for hit in real_catalog.search(CatalogKind.object, query, top=2)]
    assert [_outdoors(entry) for entry in top] == [outdoors] * 2, [(e.name, e.categories, e.tags) for e in top]


@pytest.mark.parametrize("prompt, noun, outdoors", [
    ("a chair on the beach", "chair", True),  # a deck or beach chair, not a dining chair
    ("a bench in a park", "bench", True),  # a garden bench, not the gym's "Abdominal bench"
    ("a man sitting on a bench in a city street", "bench", True),
    ("a table in a garden at noon", "table", True),
    ("a chair next to a table in a kitchen", "chair", False),
    ("a lamp next to a sofa in a living room", "lamp", False)])
def test_a_scene_gets_models_of_its_place(real_catalog, prompt, noun, outdoors):
    """The scene's background says whether it is outdoors (a beach, a park, a street) or in (a kitchen): every
    variant's model is one the library files for that place (``resolve.scene_place``)."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    entries = {e.id: e for e in real_catalog.entries(CatalogKind.object)}
    chosen = [entries[o.asset.id] for variant in planner.plan(prompt, variants=8, seed=1).plan.variants
              for o in variant.objects if o.name == noun]
    assert len(chosen) >= 8 and all(_outdoors(e) == outdoors for e in chosen), [e.name for e in chosen]


@pytest.mark.parametrize("prompt, noun, indoors", [
    ("a cozy reading corner with an armchair and a bookshelf", "armchair", True),
    ("a vase on a coffee table", "coffee table", True),
    ("an office chair in front of a desk", "desk", True),
    ("a wheelbarrow next to a garden bench", "bench", False)])
def test_a_scene_naming_no_place_is_lit_and_floored_as_its_models_place(real_catalog, prompt, noun, indoors):
    """A prompt that names no background or floor gets those of the place its models are filed under: a
    library's living-room furniture under Poly Haven's interiors on a room's floor (15 of its 100 HDRIs are
    interiors: drawn from all, most variants had been outdoors, on mud or rock)."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    entries = {kind: {e.id: e for e in real_catalog.entries(kind)} for kind in CatalogKind}
    for variant in planner.plan(prompt, variants=6, seed=4).plan.variants:
        model = next(entries[CatalogKind.object][o.asset.id] for o in variant.objects if noun in o.description)
        background = entries[CatalogKind.hdri][variant.background.id]
        floor = entries[CatalogKind.material][variant.stage.material.id]
        assert _indoors(model) == indoors, model.name
        assert _indoors(background) == indoors and not _outdoors(background) == indoors, background.name
        assert not (_outdoors(floor) if indoors else _indoors(floor)), floor.name


@pytest.mark.parametrize("prompt", ["a horse at noon", "a kite on a windy afternoon", "a bicycle at sunrise"])
def test_an_unnamed_floor_is_the_ground_of_the_photographed_background(real_catalog, prompt):
    """Poly Haven tags the ground its HDRIs show ("grass", "sand", "cobblestone"): where the prompt names no
    floor, the floor is that ground, not any outdoor texture (a beach's sand under a meadow)."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    hdris = {e.id: e for e in real_catalog.entries(CatalogKind.hdri)}
    checked = 0
    for variant in planner.plan(prompt, variants=8, seed=2).plan.variants:
        tags = {tag.lower() for tag in hdris[variant.background.id].tags}
        grounds = {"grass", "sand", "snow"} & tags
        if grounds:
            assert any(ground in variant.stage.material.name.lower() for ground in grounds), \
                (variant.background.name, variant.stage.material.name)
            checked += 1
    assert checked >= 2, prompt


def test_a_child_is_a_person_not_a_plaything_named_for_one(real_catalog):
    """"child" is a word by which records mark playthings ("Child hut", "Child swing"), but as the head noun it
    names a person."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    entries = {e.id: e for e in real_catalog.entries(CatalogKind.object)}
    for prompt in ("a child sitting on a bench", "a kid with a ball"):
        chosen = [entries[o.asset.id] for variant in planner.plan(prompt, variants=8, seed=1).plan.variants
                  for o in variant.objects if o.name in ("child", "kid")]
        assert len(chosen) == 8 and all("Characters" in e.categories for e in chosen), [e.name for e in chosen]


def test_a_model_named_in_full_is_that_model_whatever_its_size(real_catalog):
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for prompt, noun, name in (("a doll house on a table", "doll house", "Doll house"),
                               ("a punching ball in a gym", "punching ball", "Punching ball")):
        chosen = {o.asset.name for variant in planner.plan(prompt, variants=4, seed=11).plan.variants
                  for o in variant.objects if noun in o.description}
        assert chosen == {name}, (prompt, chosen)


def test_the_pose_bands_read_every_person_of_the_library(real_catalog):
    """Each of the library's people is standing, sitting ("Sitting male") or lying ("Lying down female") by name;
    the box alone tells which (``vocabulary.POSE_BANDS``)."""
    people = [entry for entry in real_catalog.entries(CatalogKind.object)
              if "Characters" in entry.categories and {"male", "female", "boy", "girl"} & set(entry.name.lower().split())]
    assert len(people) >= 25
    for entry in people:
        name = entry.name.lower()
        expected = "sitting" if "sitting" in name else "lying" if "lying" in name else "standing"
        assert pose_of(*entry.size_m) == expected, (entry.name, entry.size_m)


@pytest.mark.parametrize("prompt, person, pose, not_named", [
    ("a man sitting on a bench in a park", "man", "sitting", "female"),
    ("a woman lying on a sofa", "woman", "lying", "male"),
    ("a woman standing next to a bicycle", "woman", "standing", "male"),
    ("a girl sits on a chair", "girl", "sitting", "boy"),
    ("a boy with a ball", "boy", "standing", "girl"),  # no pose given: standing, not the library's "Lying down boy"
    ("a woman next to a car", "woman", "standing", "male"),
])
def test_a_person_gets_a_model_in_the_pose_and_of_the_kind_asked(real_catalog, prompt, person, pose, not_named):
    """"A man sitting on a bench" is a sitting model, not a standing one put on top of the bench, and a person
    given no pose stands; "a woman" is never the library's "Male" (a man is no woman, nor a boy a girl)."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    chosen = [o.asset for variant in planner.plan(prompt, variants=6, seed=2).plan.variants
              for o in variant.objects if o.name == person]
    assert len(chosen) == 6 and all(pose_of(*a.size_m) == pose for a in chosen), [(a.name, a.size_m) for a in chosen]
    assert not any(not_named in a.name.lower().split() for a in chosen), [a.name for a in chosen]


def test_the_scenes_place_ranks_as_a_facet_never_as_a_word_of_the_phrase(real_catalog):
    """Searched as "outdoor standing woman", a jogger on a beach had "outdoor" for her head noun and was the
    library's "Palm tree" in every variant: the place only ranks the models of the thing asked for."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    chosen = [o.asset for variant in planner.plan("a woman jogging along the beach at sunrise", variants=4,
                                                  seed=3).plan.variants for o in variant.objects if o.name == "woman"]
    assert len(chosen) == 4 and all(a.name.lower().split()[-1] == "female" for a in chosen), [a.name for a in chosen]


@pytest.mark.parametrize("prompt, noun", [("two kids playing football in a backyard", "football"),
                                          ("a football on the grass", "football"), ("a table in a kitchen", "table")])
def test_a_model_whose_name_has_the_noun_only_as_a_modifier_is_another_thing(real_catalog, prompt, noun):
    """The library's "Football goal" is no football, nor its "Table fan" a table: where one is chosen, it is a
    stand-in named as what it is ("A football goal is in view"), never captioned as the thing asked for."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan(prompt, variants=8, seed=3).plan.variants:
        asset = next(o.asset for o in variant.objects if o.name == noun)
        if asset.name.lower().split()[-1] != noun:
            assert asset.stand_in and asset.name.lower() in variant.caption.lower(), (asset.name, variant.caption)


@pytest.mark.parametrize("prompt, noun, model, phrase", [
    ("a chess board on a table between two chairs", "board", "Chessboard", "chess board"),
    ("two men playing chess, a chess board on a small table", "board", "Chessboard", "chess board")])
def test_among_near_matches_the_model_showing_all_the_phrase_says_is_chosen(real_catalog, prompt, noun, model,
                                                                           phrase):
    """"A chess board" was the library's White board or Chopping board in three variants of four, and captioned
    "a board": the Chessboard, one word for the two, shows what the prompt asked for, and keeps its words."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan(prompt, variants=4, seed=3).plan.variants:
        thing = next(o for o in variant.objects if o.name == noun)
        assert thing.asset.name == model and not thing.asset.stand_in, (thing.asset.name, variant.caption)
        assert thing.description == phrase
        assert phrase in variant.caption or any(noun in w and "out of view" in w for w in variant.warnings)


def test_a_film_casts_a_seated_person_seated_and_keeps_them_on_what_they_sat_on(real_catalog):
    """"A man sits on a bench" had been cast as the library's standing "Male" ("The man stands on the bench"),
    and the bench was gone from the next shot. Now his one model is a seated one, on the bench in both shots;
    and a "ginger cat" drawn as the Siamese cat is "a cat" in every shot, as retrieval said."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    plan = planner.plan_film(story="A man sits on a bench in a park at dawn. A woman walks past him. "
                                   "A ginger cat sleeps on a sofa in a living room.", variants=2, seed=2).plan
    for variant in range(plan.variant_count):
        scenes = plan.scenes_of(variant)
        for shot, scene in zip(plan.film.shots[:2], scenes):
            man = next(i for i, entity in enumerate(shot.entities) if scene.objects[i].name == "man")
            bench = next(i for i, entity in enumerate(shot.entities) if scene.objects[i].name == "bench")
            assert pose_of(*scene.objects[man].asset.size_m) == "sitting", scene.objects[man].asset.name
            assert scene.objects[man].on_top_of == bench, scene.caption
            assert "stands on" not in scene.caption, scene.caption
        cat = next(o for o in scenes[2].objects if o.name == "cat")
        entry = next(e for e in real_catalog.entries(CatalogKind.object) if e.id == cat.asset.id)
        if "ginger" not in entry_words(entry):
            assert "ginger" not in scenes[2].caption and cat.description == "cat", scenes[2].caption


@pytest.mark.parametrize("prompt", ["a motorcycle on a city street at night", "a cabin in the snow at night",
                                    "a red car on a road at sunset", "a lighthouse on a cliff at dawn",
                                    "an umbrella on a sunny beach"])
def test_a_background_shows_the_time_of_day_the_prompt_states(real_catalog, prompt):
    """Its light is the whole picture: "a city street at night" had Poly Haven's daytime "Urban Street 01" (a
    city street, ranked first) in two variants of four, "a cabin in the snow at night" a snowy winter day."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan(prompt, variants=4, seed=3).plan.variants:
        entry = next(e for e in real_catalog.entries(CatalogKind.hdri) if e.id == variant.background.id)
        words = terms(" ".join((entry.name, *entry.tags, *entry.categories)))
        wanted = query_facets(terms(prompt), ("time",))["time"]
        if wanted == {"day"}:  # what most records leave unsaid: any beach by day, never a park said to be sunny
            assert "coast" in query_facets(words, ("setting",)).get("setting", ()), entry.name
        else:
            assert wanted & query_facets(words, ("time",)).get("time", frozenset()), entry.name


@pytest.mark.parametrize("prompt, model, shown", [("a bowl of fruit on a table", "Bowl with fruits", "bowl of fruit"),
                                                 ("a bowl of salad on a table", "Bowl with salad", "bowl of salad"),
                                                 ("a basket of bread on a table", None, "basket")])
def test_a_container_of_something_is_searched_whole_and_captioned_as_the_model_shows(real_catalog, prompt, model,
                                                                                   shown):
    """"A bowl of fruit" had been a plain bowl (the fruit dropped as a mass noun): it is the library's "Bowl
    with fruits". A basket whose model shows no bread is "a basket" in the caption, with a warning."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan(prompt, variants=4, seed=3).plan.variants:
        container = variant.objects[0]
        assert model is None or container.asset.name == model, container.asset.name
        assert container.description == shown and not container.asset.stand_in, container.description
        assert f" {shown} " in f" {variant.caption.lower()} " or any("out of view" in w for w in variant.warnings)


def test_a_name_that_says_what_kind_of_item_it_is_names_the_thing(real_catalog):
    """The library's "Toilets unit" is a toilet and its "Car model" a (toy) car: the caption says "a toilet",
    where the name's last word had made the unit a stand-in."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan("a bathroom with a sink and a toilet", variants=4, seed=1).plan.variants:
        toilet = next(o.asset for o in variant.objects if o.name == "toilet")
        assert toilet.name == "Toilets unit" and not toilet.stand_in, toilet.name
        assert "toilet" in variant.caption or any("toilet" in w for w in variant.warnings), variant.caption


def test_a_thing_the_catalog_lacks_is_named_as_rendered_never_as_asked(real_catalog):
    """The library has buses but no bus stop: "City bus" is the thing a modifier names, never the bus stop, and a
    near match ("Pedestrian crossing") is named in the caption as what it is, with a warning."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan("a bus waits at a bus stop", variants=4, seed=6).plan.variants:
        stop = next(o for o in variant.objects if "stop" in o.description)
        assert "bus" not in stop.asset.name.lower().split(), stop.asset.name
        if "stop" not in stop.asset.name.lower():
            assert (stop.asset.stand_in or stop.asset.fallback) and "bus stop" not in variant.caption, variant.caption
            assert any("bus stop" in warning for warning in variant.warnings), variant.warnings


@pytest.mark.parametrize("prompt, role, kind", [("a waiter stands next to a table", "waiter", "man"),
                                                ("a nurse sitting on a chair", "nurse", "person"),
                                                ("a ballerina beside a piano", "ballerina", "woman")])
def test_a_role_is_shown_by_a_model_of_its_kind_and_captioned_as_that_kind(real_catalog, prompt, role, kind):
    """The library has people, not trades: "a waiter" is a man, and the caption says so, never "a waiter" (a
    "Creamer" was chosen for him by meaning alone)."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    variants = planner.plan(prompt, variants=4, seed=8).plan.variants
    for variant in variants:
        someone = next(o for o in variant.objects if o.name == role)
        assert {"male", "female"} & set(someone.asset.name.lower().split()), someone.asset.name
        assert role not in variant.caption.lower(), variant.caption
    assert any(f" {kind}" in variant.caption.lower() for variant in variants), [v.caption for v in variants]


@pytest.mark.parametrize("prompt, noun, modifiers", [
    ("a red vintage car drives past a wooden cabin at sunset", "car", ("vintage",)),
    ("a fluffy cat sleeps on a modern sofa", "sofa", ("modern",)),
    ("a fluffy cat sleeps on a modern sofa", "cat", ("fluffy",)),
    ("an old man sitting on a bench in a park", "man", ("old",)),
    ("a classic lamppost beside a bench", "lamppost", ("classic",)),
    ("a family car parked near a house", "car", ("family",)),
    ("a pine tree beside a bench", "tree", ("pine",)),  # "pine" names a wood too: no palm tree is a pine
    ("a tall oak tree near a cabin", "tree", ("oak",))])
def test_a_caption_keeps_only_the_words_the_chosen_model_shows(real_catalog, prompt, noun, modifiers):
    """"A red vintage car" rendered as a Smart car is a wrong label: a word of the prompt's phrase stays in the
    caption when the chosen model's record (its name, tags, description, category) states it, else it is left
    out with a warning."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    kept = dropped = 0
    for variant in planner.plan(prompt, variants=4, seed=2).plan.variants:
        obj = next(o for o in variant.objects if o.name == noun)
        entry = next(e for e in real_catalog.entries(CatalogKind.object, [obj.asset.catalog]) if e.id == obj.asset.id)
        record = " ".join((entry.name, entry.description, *entry.tags, *entry.categories)).lower().split()
        for word in modifiers:
            assert (word in obj.description.split()) == (word in record), (obj.description, entry.name, record)
            assert (word in variant.caption.lower().split()) == (word in record), variant.caption
            if word not in record:
                dropped += 1
                assert any(f"does not show {word!r}" in warning for warning in variant.warnings), variant.warnings
            else:
                kept += 1
    assert kept + dropped == 4 * len(modifiers)


def test_a_noun_that_also_names_a_wood_is_searched_as_that_noun(real_catalog):
    """"An old oak" is an oak, not something old in oak (which found an "Old jar" captioned "an old oak"). The
    library has no oak: a tree stands in, and the caption names that tree, not an oak."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan("an old oak in a meadow", variants=4, seed=2).plan.variants:
        oak = next(o for o in variant.objects if o.name == "oak")
        entry = next(e for e in real_catalog.entries(CatalogKind.object, [oak.asset.catalog]) if e.id == oak.asset.id)
        assert "tree" in {word.lower() for word in (*entry.tags, *entry.name.split())}, entry.name
        assert oak.asset.stand_in and entry.name.lower() in variant.caption.lower(), (entry.name, variant.caption)
        assert "oak" not in variant.caption.lower(), variant.caption


@pytest.mark.parametrize("prompt", ["a wooden cabin in a meadow", "a cabin by a lake at sunset"])
def test_a_model_named_for_the_thing_is_found_beyond_the_nearest_candidates(real_catalog, prompt):
    """By cosine, "Garden hut" is far from "cabin" (rank 175 of the library's 976 objects) and the "Shower stall"
    tagged "Cabin" near: a search whose nearest candidates hold no model named for the thing looks deeper, so a
    cabin is a real hut, neither a procedural shape nor a shower standing in for one."""
    planner = Planner(resolver=lambda plan: resolve_assets(plan, real_catalog))
    for variant in planner.plan(prompt, variants=4, seed=3).plan.variants:
        cabin = next(o for o in variant.objects if o.name == "cabin")
        assert cabin.asset.catalog.startswith("sweethome3d") and not cabin.asset.stand_in, cabin.asset.name
        assert {"hut", "cabin", "shed", "cottage", "shack", "lodge"} & set(cabin.asset.name.lower().split())
