"""The scene vocabulary: every family complete, ordered and non-overlapping."""

import pytest

from simfarm.plan import vocabulary as vocab

ANCESTOR_ANIMATIONS = {
    "static", "pan_left", "pan_right", "orbit_left", "orbit_right", "orbit_up", "orbit_down", "dolly_in",
    "dolly_out", "zoom_in", "zoom_out", "tilt_up", "tilt_down", "tilt_left", "tilt_right", "crane_up", "crane_down",
}


def test_all_seventeen_camera_animations_with_keyframes():
    assert set(vocab.ANIMATIONS_BY_NAME) == ANCESTOR_ANIMATIONS
    for animation in vocab.CAMERA_ANIMATIONS:
        expected = 0 if animation.name == "static" else 2
        assert len(animation.keyframes) == expected, animation.name
        assert animation.synonyms, f"{animation.name} has no prompt wording"


@pytest.mark.parametrize("left,right", [("pan_left", "pan_right"), ("orbit_left", "orbit_right"),
                                        ("orbit_up", "orbit_down"), ("dolly_in", "dolly_out"),
                                        ("zoom_in", "zoom_out"), ("tilt_up", "tilt_down"),
                                        ("tilt_left", "tilt_right"), ("crane_up", "crane_down")])
def test_opposite_animations_run_opposite_ways(left, right):
    a, b = vocab.ANIMATIONS_BY_NAME[left].keyframes, vocab.ANIMATIONS_BY_NAME[right].keyframes
    assert a[0].part == b[0].part
    delta = lambda keys: [e - s for s, e in zip(*(_values(k) for k in keys))]  # noqa: E731
    assert all(x * y <= 0 for x, y in zip(delta(a), delta(b)))
    assert any(x != 0 for x in delta(a))


def _values(key: vocab.RigKey) -> tuple[float, ...]:
    return key.position or key.rotation or (key.fov_offset,)


def test_seven_framings_widen_monotonically():
    names = [f.name for f in vocab.FRAMINGS]
    assert names == ["extreme_closeup", "closeup", "medium_closeup", "medium", "medium_wide", "wide", "extreme_wide"]
    assert vocab.FRAMINGS[0].fov == vocab.Range(10, 15)
    assert vocab.FRAMINGS[-1].fov == vocab.Range(70, 90)
    for narrow, wide in zip(vocab.FRAMINGS, vocab.FRAMINGS[1:]):
        assert narrow.fov.high == wide.fov.low
        assert narrow.coverage.low < narrow.coverage.high


def test_scales_bigger_name_means_bigger_factor():
    assert [s.name for s in vocab.SCALES] == ["tiny", "small", "small-medium", "medium", "medium-large", "large", "huge"]
    assert vocab.SCALES_BY_NAME["medium"].factor == 1.0  # life size: factors multiply the real-world size
    factors = [s.factor for s in vocab.SCALES]
    assert factors == sorted(set(factors))


def test_size_words_are_unambiguous():
    seen = {}
    for scale in vocab.SCALES:
        for word in scale.words:
            assert word not in seen, f"{word!r} means both {seen[word]} and {scale.name}"
            seen[word] = scale.name


def test_movement_directions_and_speed_bands():
    assert {d.value for d in vocab.Direction} == {"left", "right", "forward", "backward", "up"}
    bands = vocab.MOVEMENT_SPEEDS
    for slow, fast in zip(bands, bands[1:]):
        assert slow.speed.high == fast.speed.low
    assert vocab.speed_band(0.2).name == "slow" and vocab.speed_band(0.9).name == "fast"
    assert vocab.speed_band(50).name == "fast" and vocab.speed_band(0.01).name == "slow"


@pytest.mark.parametrize("effect", ["bloom", "ssao", "ssrr", "motionblur"])
def test_postprocessing_levels_never_overlap(effect):
    bands = vocab.EFFECTS[effect].bands
    assert list(bands) == list(vocab.Level)
    ordered = list(bands.values())
    for lower, upper in zip(ordered, ordered[1:]):
        assert lower.high == upper.low  # half-open: a value belongs to exactly one level
    for level, band in bands.items():
        assert vocab.level_of(effect, band.low) == level


def test_grid_and_orientation_limits():
    assert list(vocab.PLACEMENTS) == list(range(9))
    assert vocab.YAW_RANGE == vocab.Range(0, 360)
    assert 75 in vocab.PITCH_RANGE and 0 in vocab.PITCH_RANGE and 76 not in vocab.PITCH_RANGE
