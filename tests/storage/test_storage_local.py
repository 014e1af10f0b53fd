"""The local-directory backend: same operations and guarantees as S3, on files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from simfarm.storage import InvalidLocation, ObjectNotFound, RequestLayout, Storage


def test_round_trip_listing_and_prefix_deletion(tmp_path: Path) -> None:
    storage = Storage()
    cats = RequestLayout.for_request(str(tmp_path / "out"), "default", "cats", "1111-aaaa")
    cats2 = RequestLayout.for_request(str(tmp_path / "out"), "default", "cats2", "2222-bbbb")
    source = tmp_path / "video.mp4"
    source.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)

    storage.put_file(cats.video(0), source)
    storage.put_bytes(cats.plan, b'{"variants": 1}')
    storage.put_bytes(cats2.plan, b"{}")

    assert storage.exists(cats.video(0)) and not storage.exists(cats.video(1))
    assert storage.get_bytes(cats.plan) == b'{"variants": 1}'
    copy = storage.get_file(cats.video(0), tmp_path / "back" / "video.mp4")
    assert copy.read_bytes() == source.read_bytes()
    assert storage.list_prefix(cats.base) == sorted([cats.plan, cats.video(0)])
    assert storage.presign_get(cats.video(0), timedelta(minutes=5)) == Path(cats.video(0)).resolve().as_uri()

    assert storage.delete_prefix(cats.base) == 2
    assert storage.list_prefix(cats.base) == []
    assert storage.list_prefix(cats2.base) == [cats2.plan]


def test_publish_leaves_no_temporary_files(tmp_path: Path) -> None:
    storage = Storage()
    target = tmp_path / "variants" / "0" / "caption.txt"
    storage.put_bytes(str(target), b"a red cube")
    storage.put_bytes(str(target), b"a blue cube")  # replaces in one rename
    assert [path.name for path in target.parent.iterdir()] == ["caption.txt"]
    assert target.read_bytes() == b"a blue cube"


def test_put_tree_publishes_every_file_under_the_prefix(tmp_path: Path) -> None:
    rendered = tmp_path / "render"
    (rendered / "variants" / "0").mkdir(parents=True)
    (rendered / "plan.json").write_text("{}")
    (rendered / "variants" / "0" / "video.mp4").write_bytes(b"mp4")
    written = Storage().put_tree(rendered, str(tmp_path / "published"))
    assert written == [str(tmp_path / "published" / "plan.json"), str(tmp_path / "published" / "variants/0/video.mp4")]
    assert (tmp_path / "published" / "variants" / "0" / "video.mp4").read_bytes() == b"mp4"


def test_missing_object_and_root_deletion_are_refused(tmp_path: Path) -> None:
    storage = Storage()
    with pytest.raises(ObjectNotFound, match="no such file"):
        storage.get_bytes(str(tmp_path / "absent.mp4"))
    with pytest.raises(InvalidLocation, match="filesystem root"):
        storage.delete_prefix("/")
