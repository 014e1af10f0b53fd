"""Polling with a deadline: every wait in the e2e tests goes through ``wait_for``."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(check: Callable[[], T], what: str, timeout: float, *, interval: float = 0.25,
             details: Callable[[], str] = lambda: "") -> T:
    """Poll ``check`` until it returns something truthy, and return that; after ``timeout`` seconds
    fail with ``what`` and ``details()`` (the state worth seeing when it did not happen)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}\n{details()}")
        time.sleep(interval)
