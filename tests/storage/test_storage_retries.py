"""Retries against a real refused connection (nothing listens on the port)."""

from __future__ import annotations

import logging
import time

import pytest

from simfarm.storage import RetryPolicy, S3Config, Storage, StorageUnavailable
from support.minio import free_port


def test_refused_connection_is_retried_with_backoff_then_reported(caplog: pytest.LogCaptureFixture) -> None:
    config = S3Config.from_environ({
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}",
        "AWS_ACCESS_KEY_ID": "ak",
        "AWS_SECRET_ACCESS_KEY": "sk",
    })
    storage = Storage(config, RetryPolicy(attempts=4, base_delay=0.2, max_delay=0.4))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="simfarm.storage"), pytest.raises(StorageUnavailable) as raised:
        storage.put_bytes("s3://videos/a/plan.json", b"{}")
    elapsed = time.monotonic() - started

    retries = [record for record in caplog.records if "retrying in" in record.getMessage()]
    assert len(retries) == 3
    assert "gave up after 4 attempts" in str(raised.value) and "\n" not in str(raised.value)
    # jittered delays: 0.1-0.2, 0.2-0.4, 0.2-0.4 seconds
    assert 0.5 <= elapsed < 5
