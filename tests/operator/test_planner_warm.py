"""The operator's planner is warm before its first request: ``Planner.warm()`` loaded the embeddings."""

from __future__ import annotations


def test_the_operators_planner_has_its_vocabulary_embeddings_loaded(planner):
    loaded = vars(planner.rules.nearest)  # cached_property values live in the instance's __dict__
    assert {"_camera_matrix", "_scale_matrix"} <= loaded.keys()
