"""How long a piece of work takes in a worker thread, and the longest another thread (the
interface, in the app) waited for the GIL meanwhile: the stall it imposes on the event loop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def timed_with_stall(fn: Callable[[], Any]) -> tuple[float, float]:
    """(seconds fn took, longest gap between a 1 ms heartbeat's ticks while it ran)."""
    done = threading.Event()
    gaps = [0.0]

    def heartbeat() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    beat = threading.Thread(target=heartbeat)
    beat.start()
    start = time.perf_counter()
    worker = threading.Thread(target=fn)
    worker.start()
    worker.join()
    seconds = time.perf_counter() - start
    done.set()
    beat.join()
    return seconds, max(gaps)
