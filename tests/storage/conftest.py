"""Storage fixtures: a `Storage` on the session MinIO, a fresh bucket per test, a private MinIO to break."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from minio import Minio

from simfarm.storage import S3Config, Storage
from support.minio import MinioServer, require_binary

_bucket_numbers = itertools.count()


@pytest.fixture
def storage(minio_server: MinioServer) -> Storage:
    return Storage(S3Config.from_environ(minio_server.env()))


@pytest.fixture
def bucket(storage: Storage) -> str:
    """``s3://<fresh bucket>``, created through the API under test."""
    uri = f"s3://test-{next(_bucket_numbers)}"
    storage.ensure_bucket(uri)
    return uri


@pytest.fixture
def observer(minio_server: MinioServer) -> Minio:
    """A plain minio client, independent of simfarm, to look at what the server holds."""
    return minio_server.client()


@pytest.fixture
def private_minio(tmp_path: Path) -> Iterator[MinioServer]:
    """A MinIO of this test's own, which it may stop, kill and restart."""
    server = MinioServer(require_binary("minio"), tmp_path / "minio")
    server.start()
    try:
        yield server
    finally:
        server.stop()

