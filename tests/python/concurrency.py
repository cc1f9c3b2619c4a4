"""Running one piece of test work on several Python threads at once."""

from __future__ import annotations

import threading
from typing import Callable


def run_on_threads(work: Callable[[int], None], threads: int = 4, timeout: float = 60) -> None:
    """Runs ``work(i)`` on ``threads`` threads at once (i = 0, 1, ...);
    fails if one is still running after ``timeout`` seconds (a deadlock) or
    if one raised."""
    errors: list[BaseException] = []

    def guarded(i: int) -> None:
        try:
            work(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    running = [threading.Thread(target=guarded, args=(i,)) for i in range(threads)]
    for t in running:
        t.start()
    for t in running:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in running), "deadlock: a thread is stuck"
    assert errors == [], errors
