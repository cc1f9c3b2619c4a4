"""flodl.multiprocessing: torch.multiprocessing's spawn, with workers that
compute with flodl, and their failures raised in the parent."""

from __future__ import annotations

import os

import pytest

import flodl
import flodl.multiprocessing as mp


def _write_sum(rank: int, folder: str, size: int) -> None:
    flodl.manual_seed(rank)
    total = float(flodl.randn(size).sum())
    with open(os.path.join(folder, f"rank{rank}"), "w") as f:
        f.write(repr(total))


def _fail_on_one(rank: int) -> None:
    if rank == 1:
        raise ValueError(f"worker {rank} gave up")


def _exit_with_three(rank: int) -> None:
    os._exit(3)


def test_spawn_runs_every_rank_as_a_process_of_its_own(tmp_path) -> None:
    assert mp.spawn(_write_sum, args=(str(tmp_path), 5), nprocs=2) is None
    for rank in range(2):
        flodl.manual_seed(rank)
        expected = float(flodl.randn(5).sum())
        assert (tmp_path / f"rank{rank}").read_text() == repr(expected)


def test_a_worker_s_exception_is_raised_in_the_parent_with_its_traceback() -> None:
    with pytest.raises(mp.ProcessRaisedException, match="ValueError: worker 1 gave up") as e:
        mp.spawn(_fail_on_one, nprocs=2)
    assert e.value.error_index == 1


def test_a_worker_s_exit_code_is_raised_and_join_false_gives_the_context() -> None:
    context = mp.start_processes(_exit_with_three, nprocs=1, join=False)
    assert isinstance(context, mp.ProcessContext) and len(context.pids()) == 1
    with pytest.raises(mp.ProcessExitedException, match="exit code 3") as e:
        while not context.join():
            pass
    assert e.value.exit_code == 3
    with pytest.raises(ValueError, match="nprocs must be a positive int"):
        mp.spawn(_fail_on_one, nprocs=0)


def test_python_s_multiprocessing_names_are_there_as_in_torch() -> None:
    import multiprocessing

    for name in ("Queue", "Process", "get_context", "cpu_count", "set_start_method"):
        assert getattr(mp, name) is getattr(multiprocessing, name)
