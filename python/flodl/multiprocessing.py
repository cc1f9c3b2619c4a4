"""``flodl.multiprocessing``: Python's ``multiprocessing`` with torch's
``spawn`` / ``start_processes`` (``fn(rank, *args)`` in ``nprocs``
processes, the first failure raised in the parent with the child's
traceback), the way a distributed training script starts its workers.

flodl tensors cross between processes by pickling, that is by copy: there
is no shared-memory tensor (torch's ``share_memory_`` and sharing
strategies), so a queue hands the receiver its own tensor."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import signal
import traceback
from multiprocessing import *  # torch.multiprocessing re-exports it all
from typing import Any, Callable

__all__ = [  # noqa: PLE0604 (multiprocessing's own names, then torch's)
    *multiprocessing.__all__,
    "ProcessContext",
    "ProcessException",
    "ProcessExitedException",
    "ProcessRaisedException",
    "spawn",
    "start_processes",
]


class ProcessException(Exception):
    """A worker started by ``spawn`` failed: ``error_index`` is its rank,
    ``pid`` its process id."""

    def __init__(self, msg: str, error_index: int, pid: int) -> None:
        super().__init__(msg)
        self.msg, self.error_index, self.pid = msg, error_index, pid

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A worker raised: the message holds its traceback."""

    def __init__(self, msg: str, error_index: int, error_pid: int) -> None:
        super().__init__(msg, error_index, error_pid)


class ProcessExitedException(ProcessException):
    """A worker ended with a non-zero exit code (or a signal) without
    raising."""

    def __init__(
        self,
        msg: str,
        error_index: int,
        error_pid: int,
        exit_code: int,
        signal_name: str | None = None,
    ) -> None:
        super().__init__(msg, error_index, error_pid)
        self.exit_code, self.signal_name = exit_code, signal_name

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name)


def _run(fn: Callable[..., Any], rank: int, args: tuple[Any, ...], errors: Any) -> None:
    """A worker's body: ``fn(rank, *args)``; what it raises goes to the
    parent as text (a traceback pickles where the exception may not)."""
    try:
        fn(rank, *args)
    except KeyboardInterrupt:
        pass  # the parent is stopping the workers
    except Exception:  # noqa: BLE001 (any failure goes to the parent, as torch's)
        errors.put(traceback.format_exc())
        raise SystemExit(1) from None


class ProcessContext:
    """The workers ``start_processes`` started: ``join()`` waits for them
    and raises the first failure, ``pids()`` lists their process ids."""

    def __init__(self, processes: list[Any], error_queues: list[Any]) -> None:
        self.processes = processes
        self.error_queues = error_queues
        self.sentinels = {p.sentinel: rank for rank, p in enumerate(processes)}

    def pids(self) -> list[int]:
        return [int(p.pid) for p in self.processes]

    def join(self, timeout: float | None = None) -> bool:
        """Waits (at most ``timeout`` seconds) for a worker to end; True
        once all have ended well. A failed worker stops the others and is
        raised: ``ProcessRaisedException`` with its traceback, or
        ``ProcessExitedException`` with its exit code."""
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(list(self.sentinels), timeout=timeout)
        failed = None
        for sentinel in ready:
            rank = self.sentinels.pop(sentinel)
            process = self.processes[rank]
            process.join()
            if process.exitcode != 0 and failed is None:
                failed = rank
        if failed is None:
            return not self.sentinels
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        self.sentinels.clear()
        process = self.processes[failed]
        if not self.error_queues[failed].empty():
            message = f"\n\n-- Process {failed} terminated with the following error:\n"
            raise ProcessRaisedException(
                message + self.error_queues[failed].get(), failed, process.pid
            )
        code = process.exitcode
        if code < 0:
            name = signal.Signals(-code).name
            raise ProcessExitedException(
                f"process {failed} terminated with signal {name}",
                failed,
                process.pid,
                code,
                name,
            )
        raise ProcessExitedException(
            f"process {failed} terminated with exit code {code}", failed, process.pid, code
        )


def start_processes(
    fn: Callable[..., Any],
    args: tuple[Any, ...] = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """Runs ``fn(rank, *args)`` in ``nprocs`` new processes (ranks ``0 ..
    nprocs - 1``) started by ``start_method``, as torch's: with ``join``
    waits for all and returns None (raising the first failure), else returns
    their ``ProcessContext``."""
    if not isinstance(nprocs, int) or isinstance(nprocs, bool) or nprocs < 1:
        raise ValueError(f"start_processes: nprocs must be a positive int, got {nprocs!r}")
    context = multiprocessing.get_context(start_method)
    processes, error_queues = [], []
    for rank in range(nprocs):
        errors = context.SimpleQueue()
        process = context.Process(target=_run, args=(fn, rank, args, errors), daemon=daemon)
        process.start()
        processes.append(process)
        error_queues.append(errors)
    workers = ProcessContext(processes, error_queues)
    if not join:
        return workers
    while not workers.join():
        pass
    return None


def spawn(
    fn: Callable[..., Any],
    args: tuple[Any, ...] = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """``start_processes`` with the ``spawn`` start method (the one that is
    safe with threads and CUDA), as ``torch.multiprocessing.spawn``."""
    return start_processes(fn, args, nprocs, join, daemon, start_method)
