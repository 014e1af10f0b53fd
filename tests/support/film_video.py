"""Reading a rendered film back, for the render and e2e suites: its cuts from the pixels, its WebVTT cues.

Cuts are found by comparing consecutive decoded frames after the best small shift of the second onto the
first: a camera move inside a shot (a pan, an orbit, a zoom step) mostly shifts the picture, a cut
changes it, so a cut's difference stands far above its neighbours'.
"""

from __future__ import annotations

import re

import numpy as np

SHIFT_SHARE = 0.1  # camera moves shift the picture by at most this share of its width between two frames
CUT_SPIKE = 3.0  # a cut's frame difference is at least this many times its neighbours'
CUT_FLOOR = 8.0  # and at least this many levels (0-255)
CUE = re.compile(r"^shot-(\d+)\n(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})\n(.+)$", re.M)


def _blocks(frame: np.ndarray, size: int = 2) -> np.ndarray:
    height, width = frame.shape[0] // size * size, frame.shape[1] // size * size
    return frame[:height, :width].astype(float).reshape(height // size, size, width // size, size, 3).mean(axis=(1, 3))


def moved_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference (0-255) of two frames once the second is shifted to fit the first best."""
    a, b = _blocks(a), _blocks(b)
    height, width = a.shape[:2]
    reach = max(2, round(SHIFT_SHARE * width))
    best = np.inf
    for dy in range(-reach, reach + 1):
        for dx in range(-reach, reach + 1):
            first = a[max(0, dy):height + min(0, dy), max(0, dx):width + min(0, dx)]
            second = b[max(0, -dy):height + min(0, -dy), max(0, -dx):width + min(0, -dx)]
            best = min(best, float(np.abs(first - second).mean()))
    return best


def frame_steps(frames: list[np.ndarray]) -> list[float]:
    """``steps[k]``: the difference from frame k+1 to frame k+2 (1-based frame numbers)."""
    return [moved_difference(frames[i - 1], frames[i]) for i in range(1, len(frames))]


def detected_cuts(steps: list[float]) -> list[int]:
    """1-based frames that start a new shot: where consecutive frames differ far more than just before and after."""
    cuts = []
    for k, step in enumerate(steps):
        around = [steps[j] for j in (k - 1, k + 1) if 0 <= j < len(steps)]
        if step >= CUT_FLOOR and step >= CUT_SPIKE * max(around, default=0.0):
            cuts.append(k + 2)
    return cuts


def webvtt_cues(text: str, fps: int) -> list[tuple[int, int, int, str]]:
    """(shot number, first frame, last frame, text) of each cue, frames from the cue times at ``fps``."""
    assert text.startswith("WEBVTT\n\n"), text[:40]

    def seconds(parts) -> float:
        hours, minutes, secs, millis = (int(p) for p in parts)
        return hours * 3600 + minutes * 60 + secs + millis / 1000

    return [(int(cue[0]), round(seconds(cue[1:5]) * fps) + 1, round(seconds(cue[5:9]) * fps), cue[9])
            for cue in CUE.findall(text)]
