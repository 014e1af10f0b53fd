"""Locations, keys and the request layout: bad input is refused with a one-line InputError."""

from __future__ import annotations

from pathlib import Path

import pytest

from simfarm.errors import InputError
from simfarm.storage import (
    InvalidLocation,
    LocalLocation,
    RequestLayout,
    S3Location,
    Storage,
    join_key,
    parse_location,
)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://videos/a/b.mp4", S3Location("videos", "a/b.mp4")),
        ("S3://videos/a/b.mp4", S3Location("videos", "a/b.mp4")),
        ("s3://videos", S3Location("videos", "")),
        ("s3://videos/", S3Location("videos", "")),
        ("s3://my.videos-2/ns/req/", S3Location("my.videos-2", "ns/req")),
        ("s3://videos/with space/ü.mp4", S3Location("videos", "with space/ü.mp4")),
        ("out/videos", LocalLocation(Path("out/videos"))),
        ("/tmp/../tmp/x", LocalLocation(Path("/tmp/../tmp/x"))),
    ],
)
def test_valid_locations_parse(uri: str, expected: object) -> None:
    assert parse_location(uri) == expected


@pytest.mark.parametrize(
    ("uri", "complaint"),
    [
        ("", "empty storage location"),
        ("s3://", "bucket name is missing"),
        ("s3:///key", "bucket name is missing"),
        ("s3:bucket/key", "unsupported storage location"),
        ("s3:/bucket/key", "unsupported storage location"),
        ("gs://bucket/key", "unsupported storage location"),
        ("https://minio:9000/bucket/key", "unsupported storage location"),
        ("file:///tmp/x", "unsupported storage location"),
        ("s3://bu/key", "3-63 characters"),
        ("s3://" + "b" * 64 + "/key", "3-63 characters"),
        ("s3://Videos/key", "3-63 characters"),
        ("s3://my_videos/key", "3-63 characters"),
        ("s3://-videos/key", "3-63 characters"),
        ("s3://videos-/key", "3-63 characters"),
        ("s3://my..videos/key", "next to another"),
        ("s3://my.-videos/key", "next to another"),
        ("s3://192.168.1.10/key", "IP address"),
        ("s3://xn--videos/key", "reserves"),
        ("s3://videos-s3alias/key", "reserves"),
        ("s3://videos//etc/passwd", "must not start with '/'"),
        ("s3://videos/a//b", "empty, '.' and '..'"),
        ("s3://videos/a/../../other-request/plan.json", "empty, '.' and '..'"),
        ("s3://videos/..", "empty, '.' and '..'"),
        ("s3://videos/./a", "empty, '.' and '..'"),
        ("s3://videos/a\\..\\b", "backslashes"),
        ("s3://videos/a\nb", "control characters"),
        ("s3://videos/nul\x00", "NUL"),
        ("s3://videos/" + "k" * 1025, "at most 1024 bytes"),
    ],
)
def test_bad_locations_are_refused_as_input_errors(uri: str, complaint: str) -> None:
    with pytest.raises(InvalidLocation) as raised:
        parse_location(uri)
    assert isinstance(raised.value, InputError)
    message = str(raised.value)
    assert complaint in message
    assert "\n" not in message  # one line: the location is quoted with repr()


@pytest.mark.parametrize("relative", ["/abs/key", "../escape", "a/../../b", "a//b", "", "a/./b", "a\\b"])
def test_join_key_never_leaves_the_base(relative: str) -> None:
    with pytest.raises(InvalidLocation):
        join_key("s3://videos/ns/req/uid", relative)


def test_join_key_joins_below_the_base() -> None:
    assert join_key("s3://videos/ns/", "variants/0/video.mp4") == "s3://videos/ns/variants/0/video.mp4"
    assert join_key("out", "a/b") == "out/a/b"


@pytest.mark.parametrize(
    ("namespace", "name", "uid"),
    [("..", "req", "u1"), ("ns", "a/b", "u1"), ("ns", "req", ""), ("ns", "", "u1"), ("ns", "req", "..")],
)
def test_request_layout_refuses_parts_that_escape(namespace: str, name: str, uid: str) -> None:
    with pytest.raises(InvalidLocation):
        RequestLayout.for_request("s3://videos", namespace, name, uid)


def test_request_layout_refuses_a_malformed_root() -> None:
    with pytest.raises(InvalidLocation, match="invalid bucket name"):
        RequestLayout.for_request("s3://Videos", "ns", "req", "uid")


def test_request_layout_keys() -> None:
    layout = RequestLayout.for_request("s3://videos/farm/", "default", "cats", "0a1b2c3d-4e5f-6789")
    assert layout.base == "s3://videos/farm/default/cats/0a1b2c3d"
    assert layout.plan == "s3://videos/farm/default/cats/0a1b2c3d/plan.json"
    assert layout.video(2) == "s3://videos/farm/default/cats/0a1b2c3d/variants/2/video.mp4"
    assert layout.caption(2) == "s3://videos/farm/default/cats/0a1b2c3d/variants/2/caption.txt"
    assert layout.thumbnail(2) == "s3://videos/farm/default/cats/0a1b2c3d/variants/2/thumbnail.png"
    assert layout.segment(1, 0, 23) == "s3://videos/farm/default/cats/0a1b2c3d/segments/1/000000-000023.mp4"
    for key in (layout.plan, layout.video(0), layout.segment(0, 24, 47)):
        assert parse_location(key) == S3Location("videos", key.removeprefix("s3://videos/"))


@pytest.mark.parametrize("uri", ["s3://videos", "s3://videos/", "s3://videos/ns/req/"])
def test_object_operations_need_an_object_key(uri: str) -> None:
    storage = Storage()  # object checks happen before any S3 configuration is read
    with pytest.raises(InvalidLocation, match="not an object"):
        storage.get_bytes(uri)
