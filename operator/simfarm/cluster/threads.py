"""The operator's thread pool for blocking work (planning, storage, Job creation).

``concurrent.futures.ThreadPoolExecutor`` joins its threads when the
interpreter exits, so one planning call stuck in a slow LLM or S3 request
would hold the operator's exit for as long as that call takes, even after
``shutdown(cancel_futures=True)``. These threads are daemons: on exit, calls
still running are abandoned. Nothing is lost: their handlers were cancelled,
so no status was written, and every step is repeated by the next operator.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

_Work = tuple[Future, Callable[[], Any]]


class DaemonThreadPool(Executor):
    """An Executor with ``workers`` daemon threads taking calls in submission order."""

    def __init__(self, workers: int, name: str) -> None:
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
                         for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new calls after shutdown")
            future: Future = Future()
            self._queue.put((future, functools.partial(fn, *args, **kwargs)))
            return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closed = True
            while cancel_futures:
                try:
                    queued = self._queue.get_nowait()
                except queue.Empty:
                    break
                if queued is not None:
                    queued[0].cancel()
            for _ in self._threads:
                self._queue.put(None)  # each thread ends when it takes one
        if wait:
            for thread in self._threads:
                thread.join()

    def _work(self) -> None:
        while (work := self._queue.get()) is not None:
            future, call = work
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            try:
                result = call()
            except BaseException as error:  # noqa: BLE001 - handed to whoever waits, as ThreadPoolExecutor does
                future.set_exception(error)
            else:
                future.set_result(result)
