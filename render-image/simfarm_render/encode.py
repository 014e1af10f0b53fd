"""H.264 segments from rendered frames, and joining them without re-encoding.

Every segment is encoded with the same settings and no B-frames, so each one
starts with an IDR keyframe, presentation and decoding order agree, and
segments join by stream copy: ``concat`` only shifts timestamps.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Sequence

import av
from av.video.reformatter import ColorRange, Colorspace

from .errors import PermanentError

CODEC = "libx264"
PIXEL_FORMAT = "yuv420p"
# bf=0: no B-frames, so segment timestamps can simply be offset when joined.
ENCODER_OPTIONS = {"crf": "18", "preset": "veryfast", "bf": "0"}
# Rendered frames are full-range sRGB; video players expect limited-range
# BT.709 and are told so in the stream (AVCOL_* code 1 = BT.709 / MPEG range).
BT709 = 1
LIMITED_RANGE = 1


def encode_frames(frames: Sequence[Path], output: Path, fps: int) -> int:
    """Encode image files, in order, into an MP4 that starts with a keyframe; returns the frame count."""
    if not frames:
        raise PermanentError("no frames to encode")
    with av.open(str(output), "w", format="mp4") as container:
        stream = container.add_stream(CODEC, rate=fps, options=dict(ENCODER_OPTIONS))
        stream.pix_fmt = PIXEL_FORMAT
        codec = stream.codec_context
        codec.time_base = Fraction(1, fps)
        codec.colorspace = codec.color_primaries = codec.color_trc = BT709
        codec.color_range = LIMITED_RANGE
        for number, path in enumerate(frames):
            image = _read_image(path)
            if number == 0:
                stream.width, stream.height = image.width, image.height
            picture = image.reformat(format=PIXEL_FORMAT, dst_colorspace=Colorspace.ITU709,
                                     dst_color_range=ColorRange.MPEG)
            picture.pts, picture.time_base = number, codec.time_base  # not the image file's own time base
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))
    return len(frames)


def _read_image(path: Path) -> av.VideoFrame:
    with av.open(str(path)) as image:
        return next(image.decode(video=0))


def concat(segments: Sequence[Path], output: Path) -> int:
    """Join MP4 segments by stream copy, in order; returns the frame count.

    Segments must come from ``encode_frames`` with the same settings: the
    decoder configuration (SPS/PPS) is checked to be identical.
    """
    if not segments:
        raise PermanentError("no segments to join")
    inputs = [av.open(str(path)) for path in segments]
    try:
        first = inputs[0].streams.video[0]
        for path, container in zip(segments, inputs):
            stream = container.streams.video[0]
            if stream.codec_context.extradata != first.codec_context.extradata or stream.time_base != first.time_base:
                raise PermanentError(f"segment {path} was encoded with other settings than {segments[0]}")
        frames = 0
        with av.open(str(output), "w", format="mp4", options={"movflags": "+faststart"}) as container:
            out_stream = container.add_stream_from_template(first)
            offset = 0
            for source in inputs:
                end = offset
                for packet in source.demux(source.streams.video[0]):
                    if packet.dts is None:  # demuxer flush marker
                        continue
                    packet.pts += offset
                    packet.dts += offset
                    end = max(end, packet.pts + packet.duration)
                    packet.stream = out_stream
                    container.mux(packet)
                    frames += 1
                offset = end
        return frames
    finally:
        for container in inputs:
            container.close()


def write_thumbnail(video: Path, output: Path) -> None:
    """Save the middle frame of a video as PNG."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        decoded = list(container.decode(stream))
    middle = decoded[len(decoded) // 2].reformat(format="rgb24")
    with av.open(str(output), "w", format="image2") as image:
        png = image.add_stream("png", rate=1)
        png.width, png.height, png.pix_fmt = middle.width, middle.height, "rgb24"
        image.mux(png.encode(middle))
        image.mux(png.encode(None))


def count_frames(video: Path) -> int:
    with av.open(str(video)) as container:
        return sum(1 for _ in container.decode(video=0))
