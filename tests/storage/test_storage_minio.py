"""Storage against a real MinIO server (tests/support/minio.py)."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest
from minio import Minio

from simfarm.storage import (
    ObjectNotFound,
    RequestLayout,
    RetryPolicy,
    S3Config,
    Storage,
    StorageAuthError,
    StorageError,
)
from support.minio import MinioServer

MiB = 1024 * 1024


def tiny_mp4(path: Path, frames: int = 8) -> Path:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=8)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        for index in range(frames):
            image = np.full((36, 64, 3), index * 30, np.uint8)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
    return path


def decoded_frames(data: bytes) -> int:
    with av.open(io.BytesIO(data)) as container:
        return sum(1 for _ in container.decode(video=0))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def random_file(path: Path, size: int) -> Path:
    with path.open("wb") as file:
        for _ in range(size // MiB):
            file.write(os.urandom(MiB))
    return path


def test_rendered_mp4_round_trip(storage: Storage, bucket: str, observer: Minio, tmp_path: Path) -> None:
    video = tiny_mp4(tmp_path / "video.mp4")
    layout = RequestLayout.for_request(bucket, "default", "cats", "0a1b2c3d-0000")

    storage.put_file(layout.video(0), video)

    assert storage.exists(layout.video(0))
    downloaded = storage.get_file(layout.video(0), tmp_path / "downloaded" / "video.mp4")
    assert downloaded.read_bytes() == video.read_bytes()
    assert decoded_frames(storage.get_bytes(layout.video(0))) == 8
    stat = observer.stat_object(bucket.removeprefix("s3://"), layout.video(0).removeprefix(f"{bucket}/"))
    assert stat.content_type == "video/mp4"
    assert storage.list_prefix(layout.base) == [layout.video(0)]  # the temporary key is gone


def test_missing_object(storage: Storage, bucket: str) -> None:
    assert not storage.exists(f"{bucket}/absent.mp4")
    with pytest.raises(ObjectNotFound, match="NoSuchKey"):
        storage.get_bytes(f"{bucket}/absent.mp4")
    assert not storage.exists("s3://no-such-bucket/absent.mp4")


def test_multipart_upload_of_64_mib(minio_server: MinioServer, bucket: str, observer: Minio, tmp_path: Path) -> None:
    storage = Storage(S3Config.from_environ({**minio_server.env(), "SIMFARM_S3_PART_SIZE": str(16 * MiB)}))
    big = random_file(tmp_path / "big.bin", 64 * MiB)
    uri = f"{bucket}/ns/req/uid/segments/0/000000-000999.mp4"

    storage.put_file(uri, big)

    stat = observer.stat_object(bucket.removeprefix("s3://"), uri.removeprefix(f"{bucket}/"))
    assert stat.size == 64 * MiB
    assert stat.etag.endswith("-4"), f"expected a 4-part multipart ETag, got {stat.etag}"
    assert sha256(storage.get_file(uri, tmp_path / "back.bin")) == sha256(big)


def test_presigned_url_is_fetched_with_plain_http(storage: Storage, bucket: str) -> None:
    uri = f"{bucket}/ns/req/uid/variants/0/caption.txt"
    storage.put_bytes(uri, b"a huge red cube drifts left")

    with urllib.request.urlopen(storage.presign_get(uri, timedelta(minutes=1)), timeout=10) as response:
        assert response.read() == b"a huge red cube drifts left"
        assert response.headers["Content-Type"] == "text/plain"

    short_lived = storage.presign_get(uri, timedelta(seconds=1))
    time.sleep(2.5)
    with pytest.raises(urllib.error.HTTPError) as expired:
        urllib.request.urlopen(short_lived, timeout=10)
    assert expired.value.code == 403
    with pytest.raises(StorageError, match="between 1 second and 7 days"):
        storage.presign_get(uri, timedelta(days=8))


def test_listing_and_prefix_deletion_stay_inside_the_request(storage: Storage, bucket: str) -> None:
    cats = RequestLayout.for_request(bucket, "default", "cats", "1111")
    cats_too = RequestLayout.for_request(bucket, "default", "cats2", "2222")  # a prefix of "cats" + "2"
    written = [cats.plan, cats.video(0), cats.caption(0), cats.segment(0, 0, 7), cats.segment(0, 8, 15)]
    for uri in written:
        storage.put_bytes(uri, uri.encode())
    storage.put_bytes(cats_too.plan, b"{}")

    assert storage.list_prefix(cats.base) == sorted(written)
    assert storage.list_prefix(cats.segments_dir(0)) == [cats.segment(0, 0, 7), cats.segment(0, 8, 15)]
    assert storage.delete_prefix(cats.base) == len(written)
    assert storage.list_prefix(cats.base) == []
    assert storage.list_prefix(cats_too.base) == [cats_too.plan]
    assert storage.delete_prefix(cats.base) == 0


@pytest.mark.parametrize(
    ("access_key", "secret_key", "operation"),
    [
        ("simfarm-test", "not-the-password", lambda storage, bucket: storage.put_bytes(f"{bucket}/a.txt", b"x")),
        ("nobody", "whatever-secret", lambda storage, bucket: storage.ensure_bucket(bucket)),
        ("nobody", "whatever-secret", lambda storage, bucket: storage.list_prefix(bucket)),
    ],
    ids=["wrong-secret-put", "unknown-key-ensure-bucket", "unknown-key-list"],
)
def test_wrong_credentials_fail_fast_without_retries(
    minio_server: MinioServer, bucket: str, access_key: str, secret_key: str, operation, caplog
) -> None:
    environ = {**minio_server.env(), "AWS_ACCESS_KEY_ID": access_key, "AWS_SECRET_ACCESS_KEY": secret_key}
    storage = Storage(S3Config.from_environ(environ), RetryPolicy(attempts=6, base_delay=1.0))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="simfarm.storage"), pytest.raises(StorageAuthError) as raised:
        operation(storage, bucket)
    assert time.monotonic() - started < 1.0  # one retry alone would sleep at least 0.5 s
    assert not [record for record in caplog.records if "retrying" in record.getMessage()]
    message = str(raised.value)
    assert "check the S3 credentials" in message and "\n" not in message


@pytest.mark.parametrize("outage", ["server-down-before-upload", "server-killed-mid-upload"])
def test_upload_rides_out_an_outage_and_is_never_partially_visible(
    private_minio: MinioServer, outage: str, tmp_path: Path, caplog
) -> None:
    size = 96 * MiB
    environ = {**private_minio.env(), "SIMFARM_S3_PART_SIZE": str(5 * MiB)}
    storage = Storage(S3Config.from_environ(environ), RetryPolicy(attempts=8, base_delay=0.5, max_delay=4.0))
    storage.ensure_bucket("s3://outage")
    uri = "s3://outage/ns/req/uid/variants/0/video.mp4"
    key = uri.removeprefix("s3://outage/")
    source = random_file(tmp_path / "video.mp4", size)

    observations: list[int | None] = []  # size seen at the final key, None = absent
    stop_observing = threading.Event()

    def observe() -> None:
        client = private_minio.client()
        while not stop_observing.is_set():
            try:
                observations.append(client.stat_object("outage", key).size)
            except Exception as error:  # noqa: BLE001 - absent (S3Error) or server down (urllib3)
                if getattr(error, "code", None) == "NoSuchKey":
                    observations.append(None)
            time.sleep(0.05)

    upload_error: list[BaseException] = []

    def upload() -> None:
        try:
            storage.put_file(uri, source)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            upload_error.append(error)

    observer_thread = threading.Thread(target=observe, daemon=True)
    uploader = threading.Thread(target=upload, daemon=True)
    observer_thread.start()
    with caplog.at_level(logging.WARNING, logger="simfarm.storage"):
        if outage == "server-down-before-upload":
            private_minio.stop()
            uploader.start()
            time.sleep(1.5)
        else:
            uploader.start()
            wait_for_multipart_upload(private_minio, timeout=30)
            private_minio.kill()
            time.sleep(1.0)
        assert uploader.is_alive(), "the upload finished although the server was down"
        private_minio.start()
        uploader.join(timeout=120)
    stop_observing.set()
    observer_thread.join(timeout=15)

    assert not uploader.is_alive(), "the upload did not finish within 120 s"
    assert not upload_error, f"upload failed: {upload_error[0]!r}"
    assert [record for record in caplog.records if "retrying in" in record.getMessage()], "no retry happened"
    assert None in observations, "the observer never saw the key before it was published"
    assert all(seen in (None, size) for seen in observations), sorted(set(observations), key=str)
    assert sha256(storage.get_file(uri, tmp_path / "back.mp4")) == sha256(source)
    assert storage.list_prefix("s3://outage/ns") == [uri]


def wait_for_multipart_upload(server: MinioServer, timeout: float) -> None:
    """Until the server holds parts of an unfinished multipart upload (in its data directory)."""
    multipart = server.data_dir / ".minio.sys" / "multipart"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if multipart.is_dir() and any(path.is_file() for path in multipart.rglob("*")):
            return
        time.sleep(0.01)
    raise AssertionError(f"no multipart upload appeared under {multipart} within {timeout}s")


def test_local_file_errors_are_storage_errors(storage: Storage, bucket: str, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="No such file or directory"):
        storage.put_file(f"{bucket}/a.mp4", tmp_path / "never-rendered.mp4")
    assert storage.list_prefix(bucket) == []
