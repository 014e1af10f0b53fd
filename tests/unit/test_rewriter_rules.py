"""The embedded rules rewriter: what it reads out of prompts."""

import pytest

from simfarm.plan import vocabulary as vocab


def objects(draft):
    return [(o.name, o.description) for o in draft.objects]


# ------------------------------------------------------------ camera moves

@pytest.mark.parametrize("animation", [a for a in vocab.CAMERA_ANIMATIONS])
def test_every_camera_synonym_selects_its_animation(rules, animation):
    for synonym in animation.synonyms:
        prompt = f"a red cube, the camera {synonym}" if "camera" not in synonym else f"a red cube, {synonym}"
        draft = rules.rewrite(prompt)
        assert draft.camera_animation == animation.name, (synonym, draft.camera_animation)
        assert objects(draft) == [("cube", "red cube")], synonym


@pytest.mark.parametrize("prompt,expected", [
    ("a chair, the camera orbits to the right", "orbit_right"),
    ("a chair, the camera pulls back", "dolly_out"),
    ("a chair, push in", "dolly_in"),
    ("a chair, the camera cranes up", "crane_up"),
    ("a chair, no camera movement", "static"),
    ("a chair, slow orbit", "orbit_left"),
])
def test_issue_camera_examples(rules, prompt, expected):
    assert rules.rewrite(prompt).camera_animation == expected


def test_ambiguous_wording_needs_the_camera_to_be_a_camera_move(rules):
    draft = rules.rewrite("a dog moves closer to a red ball")
    assert draft.camera_animation is None
    assert draft.objects[0].movement is not None
    assert rules.rewrite("a dog, the camera moves closer").camera_animation == "dolly_in"


@pytest.mark.parametrize("prompt,speed", [("a cube, slow orbit", "slow"), ("a cube, the camera pans left quickly", "fast"),
                                          ("a cube, a fast dolly in", "fast")])
def test_camera_speed_words(rules, prompt, speed):
    assert rules.rewrite(prompt).animation_speed == speed


@pytest.mark.parametrize("prompt, animation, speed, things", [
    ("a sailboat on the ocean, slow pan", "pan_right", "slow", ["sailboat"]),
    ("a dog in a park, the camera pans slowly", "pan_right", "slow", ["dog"]),
    ("a cat on a sofa, the camera slowly pans", "pan_right", "slow", ["cat", "sofa"]),
    ("a dog in a park, a slow, steady pan", "pan_right", "slow", ["dog"]),
    ("a lighthouse on a cliff, slow tilt", "tilt_up", "slow", ["lighthouse"]),
    ("a dog in a park, slow zoom", "zoom_in", "slow", ["dog"]),
    ("a red car, pan shot", "pan_right", None, ["car"]),
    ("a dog, quick pan", "pan_right", "fast", ["dog"]),
    ("a robot, slow dolly", "dolly_in", "slow", ["robot"]),
    ("a cat, gentle crane shot", "crane_up", "slow", ["cat"]),
    ("a boat, pan", "pan_right", None, ["boat"]),
    ("a frying pan on a stove", None, None, ["pan", "stove"]),
    ("a pan of soup on a stove, slow zoom", "zoom_in", "slow", ["pan", "stove"]),
    ("a heron and a crane by a lake", None, None, ["heron", "crane"]),
    ("a boat on a lake, a slow drift to the left", "pan_left", "slow", ["boat"]),
    ("a dog, the camera drifts right", "pan_right", None, ["dog"]),
    ("a boat drifts to the left, static camera", "static", None, ["boat"]),
    ("a red car on a road, the camera slowly circles it", "orbit_left", "slow", ["car"]),
    ("a sculpture, 360 spin", "orbit_left", None, ["sculpture"]),
    ("a tree on a hill, time lapse", None, None, ["tree"]),
])
def test_a_move_named_without_its_way_goes_its_usual_way(rules, prompt, animation, speed, things):
    """"A slow pan" is a pan, not a cooking pan, and slow; "a frying pan" stays a thing."""
    draft = rules.rewrite(prompt)
    assert (draft.camera_animation, draft.animation_speed) == (animation, speed)
    assert [o.name for o in draft.objects][:len(things)] == things


# ------------------------------------------------------------ shot sizes and angles

@pytest.mark.parametrize("phrase,framing", [("an extremely tight shot", "extreme_closeup"),
                                            ("a very wide shot", "extreme_wide"), ("a tight shot", "closeup")])
def test_intensifiers_upgrade_the_framing(rules, phrase, framing):
    draft = rules.rewrite(f"a vase, {phrase}")
    assert draft.framing == framing and [o.name for o in draft.objects] == ["vase"]


@pytest.mark.parametrize("framing", [f for f in vocab.FRAMINGS])
def test_every_framing_synonym(rules, framing):
    for synonym in framing.synonyms:
        draft = rules.rewrite(f"a blue vase, {synonym}")
        assert draft.framing == framing.name, synonym
        assert objects(draft) == [("vase", "blue vase")], synonym


@pytest.mark.parametrize("phrase,angle", [
    ("low angle", "low_angle"), ("from below", "low_angle"), ("high angle", "high_angle"),
    ("from above", "high_angle"), ("bird's-eye view", "overhead"), ("top-down", "overhead"),
    ("overhead shot", "overhead"), ("eye level", "eye_level"), ("aerial view", "overhead"),
])
def test_camera_angles(rules, phrase, angle):
    draft = rules.rewrite(f"a lamp seen {phrase}")
    assert draft.camera_angle == angle
    assert [o.name for o in draft.objects] == ["lamp"]


# ------------------------------------------------------------ objects, counts, adjectives

@pytest.mark.parametrize("prompt,count,name", [
    ("two red cubes", 2, "cube"), ("three trees", 3, "tree"), ("a pair of cats", 2, "cat"),
    ("5 boxes", 5, "box"), ("several benches", 3, "bench"), ("one cherry", 1, "cherry"),
    ("four puppies", 4, "puppy"), ("a glass", 1, "glass"),
    # A pair of what comes in pairs is one thing (a model of sneakers is the pair); a unit counts its things.
    ("a pair of shoes", 1, "shoe"), ("two pairs of gloves", 2, "glove"), ("a pair of scissors", 1, "scissor"),
    ("a roll of tape", 1, "tape"), ("two loaves of bread", 2, "bread"), ("three slices of pizza", 3, "pizza"),
])
def test_counts_make_separate_entries(rules, prompt, count, name):
    draft = rules.rewrite(prompt)
    assert [o.name for o in draft.objects] == [name] * count


def test_colour_material_and_size_adjectives(rules):
    obj = rules.rewrite("a huge golden dragon statue").objects[0]
    assert (obj.name, obj.description, obj.scale, obj.color, obj.material) == (
        "statue", "golden dragon statue", "huge", "gold", "gold")
    obj = rules.rewrite("a tiny wooden grey chair").objects[0]
    assert (obj.scale, obj.color, obj.material) == ("tiny", "gray", "wood")
    assert rules.rewrite("a very large box").objects[0].scale == "huge"


@pytest.mark.parametrize("word,scale", [(s.words[0], s.name) for s in vocab.SCALES])
def test_each_scale_has_a_prompt_word(rules, word, scale):
    assert rules.rewrite(f"a {word} vase").objects[0].scale == scale


def test_objects_joined_by_and_and_commas(rules):
    draft = rules.rewrite("a red car and a blue truck, a green bus")
    assert objects(draft) == [("car", "red car"), ("truck", "blue truck"), ("bus", "green bus")]


@pytest.mark.parametrize("prompt, expected", [
    ("a woman lying on a sofa reading", [("woman", "woman"), ("sofa", "sofa")]),
    ("a man sitting on a bench eating", [("man", "man"), ("bench", "bench")]),
    ("a family of ducks on a pond", [("duck", "duck")] * 3),
    ("a dining table set for dinner", [("table", "dining table")]),
])
def test_what_someone_does_and_a_collective_noun_are_no_objects(rules, prompt, expected):
    """"reading" after "sofa" is what the woman does, not a "sofa reading"; "a family of ducks" is ducks; a
    meal is no model."""
    assert objects(rules.rewrite(prompt)) == expected


def test_words_for_the_picture_are_not_objects(rules):
    draft = rules.rewrite("a chair in the middle of the scene, the camera sweeps around the scene")
    assert [o.name for o in draft.objects] == ["chair"]


# ------------------------------------------------------------ relations

@pytest.mark.parametrize("phrase,kind", [
    ("to the left of", "left_of"), ("left of", "left_of"), ("to the right of", "right_of"),
    ("in front of", "in_front_of"), ("behind", "behind"), ("next to", "next_to"), ("beside", "next_to"),
    ("near", "next_to"),
])
def test_spatial_relations(rules, phrase, kind):
    draft = rules.rewrite(f"a cat {phrase} a box")
    assert objects(draft) == [("cat", "cat"), ("box", "box")]
    assert draft.objects[0].relation.kind == kind and draft.objects[0].relation.target == 1


@pytest.mark.parametrize("phrase", ["on top of", "on", "atop", "sits on", "resting on", "stacked on"])
def test_stacking_relations(rules, phrase):
    draft = rules.rewrite(f"a cup {phrase} a wooden box")
    assert draft.objects[0].on_top_of == 1 and draft.objects[1].description == "wooden box"


@pytest.mark.parametrize("prompt, poses", [
    ("a man sitting on a bench", {"man": "sitting"}),
    ("an old woman sits quietly on a park bench", {"woman": "sitting"}),
    ("two girls sat on a low wall", {"girl": "sitting"}),
    ("a seated musician beside a piano", {"musician": "sitting"}),
    ("a woman lies on a sofa next to a lamp", {"woman": "lying"}),
    ("a tired hiker lying on the grass beside a tent", {"hiker": "lying"}),
    ("a boy standing next to a red car", {"boy": "standing"}),
    ("a chef stands behind a counter", {"chef": "standing"}),
    ("a man and a woman sitting on a sofa", {"man": "sitting", "woman": "sitting"}),
    ("a man walks his dog past a bench", {"man": "standing", "bench": None}),
    ("a girl reading a book while lying on a blanket", {"girl": "lying"}),
    ("a man next to a bicycle", {"man": None, "bicycle": None}),
    ("a cup sits on a table", {"table": None}),
])
def test_poses_the_prompt_gives(rules, prompt, poses):
    draft = rules.rewrite(prompt)
    found = {obj.name: obj.pose for obj in draft.objects}
    assert {name: found.get(name, "missing") for name in poses} == poses, found


def test_relation_chain_attaches_to_the_nearest_object(rules):
    draft = rules.rewrite("a cat on top of a blue box next to a tiny lamp")
    cat, box, lamp = draft.objects
    assert cat.on_top_of == 1 and box.relation.kind == "next_to" and box.relation.target == 2
    assert lamp.scale == "tiny"


def test_pronoun_refers_back(rules):
    draft = rules.rewrite("a table with a vase on it")
    assert objects(draft) == [("table", "table"), ("vase", "vase")]
    assert draft.objects[1].on_top_of == 0


@pytest.mark.parametrize("prompt, description", [("a bowl of fruit on a table", "bowl of fruit"),
                                                 ("a basket of bread", "basket of bread"),
                                                 ("a statue of a lion in a park", "statue"),
                                                 ("a painting of a horse", "painting")])
def test_a_containers_one_content_is_in_its_description_a_depictions_is_not(rules, prompt, description):
    """A model may hold the fruit ("Bowl with fruits"); a painting of a horse is searched as a painting, never as
    the horse."""
    assert rules.rewrite(prompt).objects[0].description == description


def test_counted_objects_share_their_relation(rules):
    draft = rules.rewrite("three trees to the left of a house")
    assert [o.relation.target for o in draft.objects[:3]] == [3, 3, 3]


@pytest.mark.parametrize("prompt, supports", [("a man reading a newspaper on a park bench", [2, 2, None]),
                                              ("a girl eating an apple on a chair", [2, 2, None]),
                                              ("a woman holding a cup on a sofa", [2, 2, None]),
                                              ("a man sitting on a bench reading a book", [1, None, 1])])
def test_what_someone_reads_eats_or_holds_rests_where_they_do(rules, prompt, supports):
    """The newspaper is on the bench with the man, not on the ground behind it; the parse may hang the place
    from either of them."""
    assert [o.on_top_of for o in rules.rewrite(prompt).objects] == supports


def test_a_place_said_of_what_someone_holds_is_theirs(rules):
    girl, book, tree = rules.rewrite("a girl reads a book under a tree").objects
    assert (girl.relation.kind, girl.relation.target) == ("under", 2)
    assert (book.relation.kind, book.relation.target) == ("next_to", 0)


@pytest.mark.parametrize("prompt, supports", [("two lamps on two tables", [2, 3]),
                                              ("two cats sleeping on two chairs", [2, 3]),
                                              ("six books on two shelves", [6, 7, 6, 7, 6, 7]),
                                              ("three cups on a tray", [3, 3, 3])])
def test_things_on_copies_of_a_support_take_them_in_turn(rules, prompt, supports):
    """"Two lamps on two tables" is a lamp on each table, not both on the first."""
    draft = rules.rewrite(prompt)
    assert [o.on_top_of for o in draft.objects[:len(supports)]] == supports


@pytest.mark.parametrize("prompt, supported", [
    ("a stack of books and a lamp on a desk", {"book": 3, "lamp": 1}),
    ("a lamp and a stack of books on a desk", {"book": 3, "lamp": 1}),
    ("a pair of scissors and a roll of tape on a desk", {"scissor": 1, "tape": 1}),
    ("a vase and a bunch of flowers on a table", {"vase": 1, "flower": 3}),
])
def test_things_listed_by_a_quantity_share_the_lists_support(rules, prompt, supported):
    """A place after a list is each listed thing's, also of those a quantity noun holds ("a stack of")."""
    draft = rules.rewrite(prompt)
    support = len(draft.objects) - 1
    on_it = {}
    for obj in draft.objects[:-1]:
        assert obj.on_top_of == support, (obj.name, obj.on_top_of)
        on_it[obj.name] = on_it.get(obj.name, 0) + 1
    assert on_it == supported


# ------------------------------------------------------------ motion and camera follow

@pytest.mark.parametrize("prompt,direction,speed", [
    ("a car drives to the left", "left", None),
    ("a car drives right quickly", "right", "fast"),
    ("a robot moves backward slowly", "backward", "slow"),
    ("a dog runs toward the camera", "forward", None),
    ("a green balloon rises", "up", None),
    ("a ball rolls away steadily", "backward", "moderate"),
    ("a car drives past a cabin", None, None),
])
def test_object_motion(rules, prompt, direction, speed):
    movement = rules.rewrite(prompt).objects[0].movement
    assert movement is not None
    assert (movement.direction.value if movement.direction else None, movement.speed) == (direction, speed)


def test_still_objects_have_no_movement(rules):
    draft = rules.rewrite("a red vintage car drives past a wooden cabin")
    assert draft.objects[0].movement is not None and draft.objects[1].movement is None


@pytest.mark.parametrize("prompt,followed", [
    ("a robot moves left while the camera follows it", 0),
    ("a cube and a car drives right, the camera follows the car", 1),
    ("a ball rolls left, tracked by the camera", 0),
])
def test_camera_follow(rules, prompt, followed):
    draft = rules.rewrite(prompt)
    assert [o.camera_follow for o in draft.objects].index(True) == followed
    assert draft.camera_animation is None


# ------------------------------------------------------------ setting and look

@pytest.mark.parametrize("prompt,background", [
    ("a car at sunset", "sunset"),
    ("a tent under a night sky full of stars", "night sky full of stars"),
    ("a vase with studio lighting", "studio lighting"),
    ("a statue in a foggy forest", "foggy forest"),
    ("a cabin at dawn", "dawn"),
    ("a house on a rainy day", "rainy day"),  # not a house on top of a "day"
    ("a car on a cold winter day", "winter day"), ("a car on a cold winter morning", "cold winter morning"),
])
def test_background_phrases(rules, prompt, background):
    draft = rules.rewrite(prompt)
    assert draft.background == background
    assert len(draft.objects) == 1


@pytest.mark.parametrize("prompt,floor", [
    ("two red cubes on a marble floor", "marble floor"), ("a dog on the grass", "grass"),
    ("a car on wet asphalt", "wet asphalt"), ("a chair on a tiled floor", "tiled floor"),
])
def test_floor_phrases_are_not_support_objects(rules, prompt, floor):
    draft = rules.rewrite(prompt)
    assert draft.floor == floor
    assert all(o.on_top_of is None for o in draft.objects)


@pytest.mark.parametrize("prompt,floor", [
    ("a cabin in the snow at night", "snow"), ("a dog plays in the snow", "snow"),
    ("a snowman in a blizzard", "snow"), ("a car in the city at night", "asphalt"),
    ("a tent in a forest at night, on a marble floor", "marble floor"),
])
def test_the_ground_a_background_phrase_names_is_the_floor_unless_one_is_named(rules, prompt, floor):
    """"In the snow at night" is read whole as the background, and its snow is the ground too."""
    assert rules.rewrite(prompt).floor == floor


@pytest.mark.parametrize("phrase,effect,level", [
    ("dreamy glow", "bloom", "high"), ("heavy motion blur", "motionblur", "high"),
    ("subtle bloom", "bloom", "low"), ("no motion blur", "motionblur", "none"),
    ("soft shadows", "ssao", "medium"), ("strong reflections", "ssrr", "high"),
    ("extreme glow", "bloom", "extreme"),
])
def test_look_words(rules, phrase, effect, level):
    draft = rules.rewrite(f"a crystal vase with {phrase}")
    assert getattr(draft.effects, effect) == level
    assert [o.name for o in draft.objects] == ["vase"]


def test_issue_example_prompt(rules):
    draft = rules.rewrite("a red vintage car drives past a wooden cabin at sunset, slow orbit")
    assert objects(draft) == [("car", "red vintage car"), ("cabin", "wooden cabin")]
    assert (draft.camera_animation, draft.animation_speed, draft.background) == ("orbit_left", "slow", "sunset")


def test_prompt_without_object_phrase_searches_with_the_whole_prompt(rules):
    draft = rules.rewrite("sunset")
    assert len(draft.objects) == 1 and draft.background == "sunset"


# ------------------------------------------------------------ structure the issue names

@pytest.mark.parametrize("prompt,stacks,relations", [
    ("a shelf with a clock and a radio on it", {("clock", "shelf"), ("radio", "shelf")}, set()),
    ("a bowl of apples on a counter", {("apple", "bowl"), ("bowl", "counter")}, set()),
    ("a cat curled up on a cushion", {("cat", "cushion")}, set()),
    ("a tower looms over a small hut", set(), {("tower", "over", "hut")}),
    ("two chairs facing each other", set(), {("chair", "facing", "chair")}),
    ("a dog and a cat side by side", set(), {("dog", "side_by_side", "cat"), ("cat", "side_by_side", "dog")}),
    ("a ball under a wooden chair", set(), {("ball", "under", "chair")}),
])
def test_supports_and_relations_come_out_of_possessive_and_spatial_phrasing(rules, prompt, stacks, relations):
    draft = rules.rewrite(prompt)
    names = [o.name for o in draft.objects]
    assert {(names[i], names[o.on_top_of]) for i, o in enumerate(draft.objects) if o.on_top_of is not None} == stacks
    assert {(names[i], o.relation.kind, names[o.relation.target])
            for i, o in enumerate(draft.objects) if o.relation} == relations


@pytest.mark.parametrize("prompt,background", [
    ("a windmill on a grassy hill", "grassy hill"), ("a boat on a calm lake", "calm lake"),
    ("a statue in a town square", "town square"), ("a tent in a snowy forest", "snowy forest"),
])
def test_setting_nouns_are_background_not_objects(rules, prompt, background):
    draft = rules.rewrite(prompt)
    assert len(draft.objects) == 1 and draft.objects[0].on_top_of is None
    assert draft.background == background and draft.floor  # the place implies a ground


def test_sizes_attach_to_their_own_noun_and_are_never_invented(rules):
    draft = rules.rewrite("a large bear and a small bird")
    assert [(o.name, o.scale) for o in draft.objects] == [("bear", "large"), ("bird", "small")]
    assert [o.scale for o in rules.rewrite("an elephant next to a mouse").objects] == [None, None]


def test_effects_the_prompt_asks_for_stay_in_the_draft(rules):
    assert rules.rewrite("a glowing neon sign").effects.bloom == "medium"
    assert rules.rewrite("a sports car on a highway, strong bloom").effects.bloom == "high"


def test_new_relation_kinds_are_placed_by_the_combiner_as_neighbours(rules):
    from simfarm.plan import geometry
    from simfarm.plan.combiner import combine

    for prompt in ("two chairs facing each other", "a dog and a cat side by side", "a ball under a chair",
                   "a kite over a lighthouse"):
        draft = rules.rewrite(prompt)
        for plan in combine(draft, variants=4, seed=3):
            assert not plan.warnings, (prompt, plan.warnings)
            cells = [geometry.grid_cell(o.placement) for o in plan.objects]
            (r0, c0), (r1, c1) = cells[0], cells[1]
            assert max(abs(r0 - r1), abs(c0 - c1)) == 1, prompt


# ------------------------------------------------------------ prompts as people write them

def _scene(draft):
    names = [o.name for o in draft.objects]
    return ({(names[i], names[o.on_top_of]) for i, o in enumerate(draft.objects) if o.on_top_of is not None},
            {(names[i], o.relation.kind, names[o.relation.target]) for i, o in enumerate(draft.objects) if o.relation})


@pytest.mark.parametrize("prompt,mover,direction", [
    ("a brown mare canters to the right", "mare", "right"),  # a verb the lexicon lacks, tagged as a noun
    ("a skyscraper towers over a chapel", "skyscraper", None),
    ("a kayak paddling leftward along a cliff", "kayak", "left"),
    ("a goose waddles towards the camera", "goose", "forward"),
    ("two geese swoop to the left over a lake", "goose", "left"),
])
def test_a_direction_after_a_verb_is_the_way_its_subject_moves(rules, prompt, mover, direction):
    draft = rules.rewrite(prompt)
    moving = [(o.name, o.movement.direction.value if o.movement.direction else None)
              for o in draft.objects if o.movement]
    assert "left" not in {o.name for o in draft.objects} and "right" not in {o.name for o in draft.objects}
    if prompt.startswith("a skyscraper"):  # "towers" is the verb, not a second object, and no move
        assert [o.name for o in draft.objects] == ["skyscraper", "chapel"] and not moving
    else:
        assert moving and set(moving) == {(mover, direction)}


@pytest.mark.parametrize("prompt", ["a dog looks to the left", "an owl turns right on a branch",
                                    "a hummingbird hovering over a flower", "a lamp on the left bank of a river"])
def test_directions_that_are_no_movement(rules, prompt):
    draft = rules.rewrite(prompt)
    assert all(o.movement is None for o in draft.objects)
    assert not {"left", "right"} & {o.name for o in draft.objects}


@pytest.mark.parametrize("prompt,relation", [
    ("a fern on the left and a stool on the right", ("fern", "left_of", "stool")),
    ("a kettle on the right, a toaster on the left", ("toaster", "left_of", "kettle")),
    ("on the left side a mailbox, on the right side a bicycle", ("mailbox", "left_of", "bicycle")),
    ("left: a red mug; right: a blue mug", ("mug", "left_of", "mug")),
    ("a globe at the right of the frame and a lamp at the left", ("lamp", "left_of", "globe")),
    ("in the middle a fountain, a bench on the left", ("bench", "left_of", "fountain")),
])
def test_side_phrases_place_their_own_object(rules, prompt, relation):
    stacks, relations = _scene(rules.rewrite(prompt))
    assert relations == {relation} and not stacks


def test_a_relation_phrase_with_of_is_still_a_relation(rules):
    assert _scene(rules.rewrite("a fern to the right of a stool"))[1] == {("fern", "right_of", "stool")}


@pytest.mark.parametrize("prompt,followed,direction", [
    ("the camera tracks a blue tram gliding to the right", "tram", "right"),
    ("a tracking shot of a jogger running towards the camera past a bench", "jogger", "forward"),
    ("follow the white van as it drives away", "van", "backward"),
    ("a handheld camera chasing two dogs racing to the left", "dog", "left"),
    ("the camera keeps up with a cyclist pedalling along a canal", "cyclist", None),
])
def test_the_camera_following_a_subject(rules, prompt, followed, direction):
    draft = rules.rewrite(prompt)
    chosen = [o for o in draft.objects if o.camera_follow]
    assert len(chosen) == 1 and chosen[0].name == followed
    assert chosen[0].movement is not None and (chosen[0].movement.direction.value
                                               if chosen[0].movement.direction else None) == direction
    assert not {"camera", "shot", "bench"} & {o.name for o in draft.objects} or "bench" in prompt
    assert draft.camera_animation is None


def test_camera_sentences_keep_what_they_are_about(rules):
    draft = rules.rewrite("the camera glides slowly around a bronze sundial")
    assert objects(draft) == [("sundial", "bronze sundial")]


@pytest.mark.parametrize("prompt,animation", [
    ("a sundial, the camera arcs upward", "orbit_up"), ("a sundial, camera arcs overhead", "orbit_up"),
    ("a sundial, the camera arcs downward", "orbit_down"),
])
def test_arc_moves(rules, prompt, animation):
    draft = rules.rewrite(prompt)
    assert draft.camera_animation == animation and [o.name for o in draft.objects] == ["sundial"]
    assert draft.camera_angle is None


@pytest.mark.parametrize("prompt,names", [
    ("rack focus from a teacup to a kettle", ["teacup", "kettle"]),
    ("a perfume bottle, shallow depth of field, bokeh", ["bottle"]),
    ("four lanterns on a wall, each a different colour", ["lantern"] * 4 + ["wall"]),
    ("a pond with a duck, a rock and a reed", ["duck", "rock", "reed"]),
    ("a stone, a pinecone and a shell on a tray", ["stone", "pinecone", "shell", "tray"]),
])
def test_words_that_are_no_objects_and_objects_that_look_like_words(rules, prompt, names):
    assert [o.name for o in rules.rewrite(prompt).objects] == names


@pytest.mark.parametrize("prompt,stacks,relations,count", [
    ("a desk by a window; a laptop rests on the desk", {("laptop", "desk")}, {("desk", "next_to", "window")}, 3),
    ("a bench and a lamppost, the lamppost is behind the bench", set(), {("lamppost", "behind", "bench")}, 2),
    ("a big box and a small box; the small box is on the big box", {("box", "box")}, set(), 2),
    ("a crate near two barrels, and a cat sleeps on it", {("cat", "crate")}, {("crate", "next_to", "barrel")}, 4),
])
def test_definite_phrases_and_pronouns_point_back(rules, prompt, stacks, relations, count):
    draft = rules.rewrite(prompt)
    assert len(draft.objects) == count and _scene(draft) == (stacks, relations)
    if "small box is on" in prompt:
        assert draft.objects[draft.objects[1].on_top_of].scale == "large" and draft.objects[1].scale == "small"


@pytest.mark.parametrize("prompt,attributes", [
    ("two kites, a large red one and a small green one", [("kite", "red", "large"), ("kite", "green", "small")]),
    ("a red and a blue umbrella", [("umbrella", "red", None), ("umbrella", "blue", None)]),
    ("a tall cactus and a tiny one", [("cactus", None, "large"), ("cactus", None, "tiny")]),
    ("three jars on a shelf; the jars are yellow", [("jar", "yellow", None)] * 3 + [("shelf", None, None)]),
    ("a giant teacup beside a tiny teacup", [("teacup", None, "huge"), ("teacup", None, "tiny")]),
])
def test_each_of_the_same_noun_keeps_its_own_words(rules, prompt, attributes):
    assert [(o.name, o.color, o.scale) for o in rules.rewrite(prompt).objects] == attributes


@pytest.mark.parametrize("prompt", ["a shelf with a clock on it", "the camera pushes in on a kettle sitting on a stove",
                                    "a box on a crate, the crate on the box"])
def test_supports_never_form_a_cycle(rules, prompt):
    objects = rules.rewrite(prompt).objects
    for start in range(len(objects)):
        seen, index = set(), start
        while index is not None:
            assert index not in seen, (prompt, [(o.name, o.on_top_of) for o in objects])
            seen.add(index)
            index = objects[index].on_top_of


def test_a_second_place_in_a_list_is_its_own_nouns(rules):
    assert _scene(rules.rewrite("a cup on a tray and a pen on a desk"))[0] == {("cup", "tray"), ("pen", "desk")}
    assert _scene(rules.rewrite("a lamp, a clock and a vase on a dresser in a bedroom"))[0] == {
        ("lamp", "dresser"), ("clock", "dresser"), ("vase", "dresser")}


def test_a_place_phrase_leading_its_clause_describes_what_follows(rules):
    assert _scene(rules.rewrite("a tall pine; beneath the pine, a wooden bench"))[1] == {("bench", "under", "pine")}


# ------------------------------------------------------------ what it leaves out, and says so

@pytest.mark.parametrize("prompt,jargon", [
    ("a vertigo shot of a lighthouse keeper on a staircase", "vertigo shot"),
    ("canted angle, a wet alley with a bin", "canted angle"),
    ("steadicam through a library towards a reading lamp", "steadicam"),
])
def test_camera_jargon_the_vocabulary_lacks_is_left_open_with_a_warning(rules, prompt, jargon):
    reading = rules.read(prompt)
    draft = reading.draft
    assert (draft.camera_animation, draft.camera_angle, draft.framing) == (None, None, None)
    assert any(jargon in warning for warning in reading.warnings), reading.warnings


def test_a_camera_reading_whose_way_the_phrase_contradicts_is_refused():
    from simfarm.rewriter.rules import _contradicts

    assert _contradicts("with the camera drifting up slowly", "tilt_down")
    assert _contradicts("the camera glides out", "dolly_in")
    assert not _contradicts("the camera glides in and out", "dolly_in")  # both ways said: not a contradiction
    assert not _contradicts("the camera drifts left", "orbit_left") and not _contradicts("a slow move", "static")


@pytest.mark.parametrize("prompt,animation", [
    ("a clock tower, the camera panning to the left", "pan_left"),
    ("a statue while the camera is dollying in", "dolly_in"),
    ("a red barn, and then pull out", "dolly_out"),
    ("a totem pole; the camera is tilting up", "tilt_up"),
])
def test_camera_moves_in_their_other_verb_forms(rules, prompt, animation):
    assert rules.rewrite(prompt).camera_animation == animation


@pytest.mark.parametrize("prompt,angle", [
    ("paper lanterns strung overhead above a courtyard table", None),
    ("a flock of geese flying overhead", None),
    ("a chessboard mid-game, overhead shot", "overhead"),
    ("a chessboard mid-game, overhead", "overhead"),
    ("a picnic blanket seen from overhead", "overhead"),
])
def test_overhead_is_an_angle_only_beside_camera_words(rules, prompt, angle):
    assert rules.rewrite(prompt).camera_angle == angle


@pytest.mark.parametrize("prompt,names", [
    ("a quiet beach, no swimmers, a single deckchair", ["deckchair"]),
    ("a dog without a lead in a park", ["dog"]),
    ("a desk with no chair or lamp", ["desk"]),
    ("there is not a single cloud, only a kite", ["kite"]),
    ("zero cars on a bridge, one cyclist", ["cyclist"]),
])
def test_what_the_prompt_says_is_absent_is_not_placed(rules, prompt, names):
    assert [o.name for o in rules.rewrite(prompt).objects] == names


@pytest.mark.parametrize("prompt,name,asked", [
    ("fifteen balloons tied to a fence", "balloon", 15),
    ("thirty-two chess pieces on a board", "piece", 32),
    ("a dozen roses in a vase", "rose", 12),
    ("11 ducklings", "duckling", 11),
])
def test_counts_past_the_copy_limit_are_placed_at_the_limit_and_said(rules, prompt, name, asked):
    from simfarm.rewriter import lexicon

    reading = rules.read(prompt)
    assert [o.name for o in reading.draft.objects].count(name) == lexicon.MAX_COPIES
    assert any(f"{asked} × {name}" in warning for warning in reading.warnings), reading.warnings


def test_a_prompt_past_the_scene_limit_is_cut_at_it_with_a_warning(rules):
    from simfarm.plan.draft import MAX_OBJECTS

    reading = rules.read("nine plates, nine cups and nine forks on a long table")
    assert len(reading.draft.objects) == MAX_OBJECTS and reading.warnings


@pytest.mark.parametrize("prompt,number", [("twenty-one lanterns", 9), ("seven-a-side teams", 3),
                                           ("four cups", 4), ("a pair of dice", 2), ("a pair of gloves", 1)])
def test_number_words(rules, prompt, number):
    assert len(rules.rewrite(prompt).objects) == number


# ------------------------------------------------------------ pronouns, parts and phrasings

def test_a_subject_pronoun_continues_the_previous_subject(rules):
    objects = rules.rewrite("a girl holds a lantern; she walks to the left").objects
    assert [(o.name, o.movement.direction.value if o.movement else None) for o in objects] == [
        ("girl", "left"), ("lantern", None)]
    objects = rules.rewrite("a cat and a mouse; it runs to the right").objects
    assert [o.name for o in objects if o.movement] == ["cat"]  # one object, not the list it was named in


@pytest.mark.parametrize("prompt,expected", [
    ("a cat asleep on the bonnet of a car", {("cat", "car")}),
    ("a seagull on the roof of a lighthouse", {("seagull", "lighthouse")}),
])
def test_a_part_stands_for_its_whole(rules, prompt, expected):
    assert _scene(rules.rewrite(prompt))[0] == expected


def test_phrasings(rules):
    assert _scene(rules.rewrite("a goat tied to a post"))[1] == {("goat", "next_to", "post")}
    assert _scene(rules.rewrite("a vase and a clock. Put the vase to the right of the clock."))[1] == {
        ("vase", "right_of", "clock")}
    assert [o.name for o in rules.rewrite("Props: a teapot, two cups and a spoon").objects] == [
        "teapot", "cup", "cup", "spoon"]
    assert [o.name for o in rules.rewrite("an owl with orange eyes on a branch").objects] == ["owl", "branch"]
    assert [o.name for o in rules.rewrite("a jack-o-lantern beside a go-kart").objects] == ["jack-o-lantern", "go-kart"]
    assert [o.color for o in rules.rewrite("a shed and a gate; the gate is painted green").objects] == [None, "green"]
    assert [o.movement.direction.value for o in rules.rewrite("a rocket blasts off from a launch pad").objects
            if o.movement] == ["up"]


@pytest.mark.parametrize("prompt,animation,mover", [
    ("a tractor pulls out of a barn", None, "tractor"),
    ("an old van backs away from a garage door", None, None),  # no move verb the lexicon knows: no claim
    ("a tractor in a barn, the camera pulls out", "dolly_out", None),
    ("a quick dolly-in on a typewriter", "dolly_in", None),
    ("a boom-up over a hedge maze", "crane_up", None),
    ("a slow 360 orbit around a fountain", "orbit_left", None),  # the move named as a noun: no subject of its own
])
def test_a_move_phrase_with_a_subject_of_its_own_is_that_subject_moving(rules, prompt, animation, mover):
    draft = rules.rewrite(prompt)
    assert draft.camera_animation == animation
    assert [o.name for o in draft.objects if o.movement] == ([mover] if mover else [])


def test_away_from_a_thing_is_no_camera_direction(rules):
    [van, _] = rules.rewrite("a van drives away from a fence").objects
    assert van.movement is not None and van.movement.direction is None
    [dog] = rules.rewrite("a dog runs away from the camera").objects
    assert dog.movement.direction.value == "backward"


def test_more_count_and_weather_words(rules):
    assert [o.name for o in rules.rewrite("half a dozen apples").objects] == ["apple"] * 6
    assert [o.name for o in rules.rewrite("a trio of pelicans on a pier").objects] == ["pelican"] * 3
    draft = rules.rewrite("a windmill in a gale")
    assert [o.name for o in draft.objects] == ["windmill"] and "gale" in draft.background
    assert _scene(rules.rewrite("a horse and a monkey; the monkey rides on the horse's back"))[0] == {("monkey", "horse")}


@pytest.mark.parametrize("prompt,stacked", [
    ("a girl puts a book into a bag", {("book", "bag")}),  # what is put goes in, not who puts it
    ("a boy throws a ball into a basket", {("ball", "basket")}),
    ("a man sets a vase and a clock on a table", {("vase", "table"), ("clock", "table")}),
    ("a teapot and a cup; pour from it into the cup", set()),  # tea goes into the cup: nothing the scene shows
    ("a waiter pours wine into a glass", set()),
    ("a cat jumps into a box", {("cat", "box")}),  # an intransitive verb: its subject goes in
])
def test_a_transfer_verb_places_its_object_and_a_poured_substance_places_nothing(rules, prompt, stacked):
    assert _scene(rules.rewrite(prompt))[0] == stacked
