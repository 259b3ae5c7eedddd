"""Run a coroutine to completion from a test, whatever the test's thread is doing.

A worker that ran the browser tests before has Playwright's event loop running in its main thread,
where asyncio.run refuses to start another; a thread of its own always has none."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run_coroutine(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """The coroutine's result, run by asyncio.run on a fresh thread (its exceptions re-raised here)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
