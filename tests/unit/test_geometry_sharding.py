"""Scene coordinates and the shard split: pure functions both the worker and the operator rely on."""

import pytest

from simfarm.plan import geometry, sharding
from simfarm.plan import vocabulary as vocab


def test_grid_rows_run_back_to_front_and_columns_left_to_right():
    assert geometry.grid_position(4, 2.0) == (0.0, 0.0)
    assert geometry.grid_position(0, 2.0) == (-2.0, 2.0)   # back-left
    assert geometry.grid_position(8, 2.0) == (2.0, -2.0)   # front-right
    with pytest.raises(ValueError):
        geometry.grid_position(9, 1.0)


@pytest.mark.parametrize("yaw,left_cell,right_cell", [(0, 3, 5), (180, 5, 3), (90, 7, 1), (270, 1, 7)])
def test_left_in_the_picture_follows_the_camera_yaw(yaw, left_cell, right_cell):
    left = geometry.view_coordinates(*geometry.grid_position(left_cell, 1.0), yaw)
    right = geometry.view_coordinates(*geometry.grid_position(right_cell, 1.0), yaw)
    assert left[0] < right[0]


@pytest.mark.parametrize("yaw", [0, 37, 90, 200, 359])
def test_movement_left_is_left_on_screen_at_any_yaw(yaw):
    vector = geometry.movement_vector(vocab.DIRECTION_VIEW_VECTORS[vocab.Direction.left], yaw)
    sideways, depth = geometry.view_coordinates(vector[0], vector[1], yaw)
    assert sideways == pytest.approx(-1.0) and depth == pytest.approx(0.0, abs=1e-9)


def test_cell_size_keeps_huge_objects_apart():
    assert geometry.cell_size(3.0) > 3.0
    assert geometry.cell_size(0.25) == geometry.MIN_CELL


def test_shards_cover_every_frame_once_in_variant_major_order():
    shards = [sharding.shard_at(k, 3, [50], 20) for k in range(sharding.shard_count(3, [50], 20))]
    assert len(shards) == 9
    assert [(s.variant, s.first_frame, s.last_frame) for s in shards[:3]] == [(0, 1, 20), (0, 21, 40), (0, 41, 50)]
    for variant in range(3):
        frames = [f for s in shards if s.variant == variant for f in range(s.first_frame, s.last_frame + 1)]
        assert frames == list(range(1, 51))


@pytest.mark.parametrize("frames_per_shard", [0, 48, 100])
def test_one_shard_per_variant_when_chunks_cover_the_clip(frames_per_shard):
    assert sharding.shard_count(4, [48], frames_per_shard) == 4
    assert sharding.shard_at(3, 4, [48], frames_per_shard) == sharding.Shard(3, 3, 1, 48)


def test_shard_index_out_of_range_says_how_many():
    with pytest.raises(IndexError, match="has 2 shards"):
        sharding.shard_at(2, 2, [10], 0)
