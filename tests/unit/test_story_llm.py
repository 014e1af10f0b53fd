"""The llm story reader against a local server speaking the chat-completions protocol."""

from __future__ import annotations

import json

import pytest

from simfarm.plan.models import RenderSettings
from simfarm.plan.planner import Planner
from simfarm.rewriter.llm import LLMConfig
from support.fake_llm import FakeChatServer, Reply

STORY = "A red car drives along a road. The vehicle stops near a cabin. It turns around."
SHOT_LIST = {"shots": [
    {"text": "A red car drives along a road.", "entities": [{"id": "e1", "words": "a red car"}]},
    {"text": "The vehicle stops near a cabin.", "entities": [{"id": "e1", "words": "the vehicle"},
                                                              {"id": "e2", "words": "a cabin"}]},
    {"text": "It turns around.", "entities": [{"id": "e1", "words": "it"}]},
]}
# What the model answers for each shot's words (the scene_draft schema).
SCENES = {
    "A red car drives along a road.": {"objects": [{"name": "car", "color": "red", "movement": {"direction": "left"}}]},
    "The vehicle stops near a cabin.": {"objects": [{"name": "vehicle"}, {"name": "cabin"}]},
}
TINY = RenderSettings(width=64, height=36, fps=8, frames=8, engine="WORKBENCH")


def schema_name(body: dict) -> str:
    return body["response_format"]["json_schema"]["name"]


def responder(story_reply):
    def reply(body: dict) -> Reply:
        if schema_name(body) == "story_shots":
            return story_reply(body)
        words = body["messages"][1]["content"]
        scene = next((answer for text, answer in SCENES.items() if text.lower().rstrip(".") in words.lower()),
                     {"objects": [{"name": "car"}]})
        return Reply(json.dumps(scene))
    return reply


def film(server, story=STORY):
    config = LLMConfig(base_url=server.base_url, model="story-model", api_key="test-key", timeout=5.0)
    return Planner(llm=config).plan_film(story=story, settings=TINY, rewriter="llm").plan


def test_the_shot_list_links_mentions_the_head_nouns_cannot():
    with FakeChatServer(responder=responder(lambda body: Reply(json.dumps(SHOT_LIST)))) as server:
        plan = film(server)
    story_requests = [r for r in server.requests if schema_name(r) == "story_shots"]
    assert len(story_requests) == 1 and story_requests[0]["messages"][1]["content"] == STORY
    assert [shot.prompt for shot in plan.film.shots] == [s["text"] for s in SHOT_LIST["shots"]]
    car = plan.film.shots[0].entities[0]
    assert all(car in shot.entities for shot in plan.film.shots)  # "the vehicle" and "it" are the car
    described = {scene.objects[shot.entities.index(car)].description for shot, scene in zip(plan.film.shots, plan.variants)}
    assert described == {"red car"}
    assert plan.rewriter == "llm"


def test_a_shot_list_that_is_not_the_story_gets_one_repair_then_sentences():
    paraphrase = {"shots": [{"text": "A crimson automobile cruises down a highway."},
                            {"text": "It halts by a hut and turns around."}]}
    with FakeChatServer(responder=responder(lambda body: Reply(json.dumps(paraphrase)))) as server:
        plan = film(server)
    story_requests = [r for r in server.requests if schema_name(r) == "story_shots"]
    assert len(story_requests) == 2
    repair = story_requests[1]["messages"][-1]["content"]
    assert "word for word" in repair and "'crimson automobile cruises down'" in repair
    assert [shot.prompt for shot in plan.film.shots] == ["A red car drives along a road.",
                                                         "The vehicle stops near a cabin.", "It turns around."]
    assert any("llm story reader failed" in w and "repair" in w for w in plan.warnings)


@pytest.mark.parametrize("bad", [Reply(status=503), Reply("not json"), Reply(json.dumps({"shots": []}))])
def test_endpoint_failures_fall_back_to_sentences(bad):
    with FakeChatServer(responder=responder(lambda body: bad)) as server:
        plan = film(server)
    assert len(plan.film.shots) == 3
    assert any(w.startswith("llm story reader failed") for w in plan.warnings)


def test_mentions_must_be_the_shots_own_words():
    wrong = json.loads(json.dumps(SHOT_LIST))
    wrong["shots"][1]["entities"][0]["words"] = "the truck"
    replies = iter([Reply(json.dumps(wrong)), Reply(json.dumps(SHOT_LIST))])
    with FakeChatServer(responder=responder(lambda body: next(replies))) as server:
        plan = film(server)
    repair = [r for r in server.requests if schema_name(r) == "story_shots"][1]["messages"][-1]["content"]
    assert "shots[1] entity e1 'the truck' is not in that shot's text" in repair
    assert not any("story reader failed" in w for w in plan.warnings)
