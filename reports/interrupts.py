"""Runs that stop cleanly: signals, worker pools and files written as a pair.

* :func:`signals_raise` makes SIGINT raise KeyboardInterrupt and SIGTERM raise
  :class:`Interrupted`, so the main process unwinds through one clean-up path for both —
  except inside :func:`deferred_signals`, where a signal is remembered and raised when the
  block ends (a flag rather than a signal mask: Python runs handlers in the main thread
  whichever thread the kernel delivered the signal to).
* :func:`worker_pool` is a spawned process pool whose workers ignore SIGINT (a Ctrl-C in a
  terminal reaches the whole process group; only the main process reacts) and which, when
  the main process is interrupted, is stopped at once: queued work cancelled, every worker
  process terminated (killed if it does not exit within a second) — not waited for.
  :func:`submit_all` submits with signals deferred, so no worker is left half-launched.
* :func:`replace_together` puts several finished files in place with signals deferred, so a
  report and its results file are both from the same run or neither is replaced.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

_STATE: dict = {"depth": 0, "pending": None}
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class Interrupted(Exception):  # noqa: N818 - named for what happened, like KeyboardInterrupt
    """The run was stopped by a signal (``signum``)."""

    def __init__(self, signum: int):
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum


def _raise_for(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Interrupted(signum)


def _handler(signum: int, _frame) -> None:
    if _STATE["depth"]:
        _STATE["pending"] = signum
        return
    _raise_for(signum)


@contextlib.contextmanager
def signals_raise() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise in the main thread (see the module doc)."""
    previous = {signum: signal.signal(signum, _handler)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """A signal arriving within the block is raised when the block ends."""
    _STATE["depth"] += 1
    try:
        yield
    finally:
        _STATE["depth"] -= 1
        pending = _STATE["pending"]
        if not _STATE["depth"] and pending is not None:
            _STATE["pending"] = None
            _raise_for(pending)


def _ignore_interrupt() -> None:
    """Pool worker initializer: the main process decides what a Ctrl-C means."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A spawned ProcessPoolExecutor of ``workers`` processes, stopped at once (not drained)
    if the block raises — an interrupt included. Each worker's linear algebra is
    single-threaded (unless the environment says otherwise): the pool already uses every
    core, and threaded BLAS on top of it made eigen-solves ~3× slower."""
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(
        "spawn"), initializer=_ignore_interrupt)
    try:
        yield pool
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def submit_all(pool: ProcessPoolExecutor, function: Callable, items: Sequence) -> dict:
    """{future: index} of ``function(item)`` for every item, submitted with signals deferred
    (a worker process interrupted between its launch and its registration would be missed
    by the clean-up and outlive the run)."""
    with deferred_signals():
        return {pool.submit(function, *item): index for index, item in enumerate(items)}


def _stop(pool: ProcessPoolExecutor) -> None:
    # The executor has no public way to end running work; its worker processes are in
    # ``_processes`` (pid → multiprocessing.Process).
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=1)
        if process.is_alive():
            process.kill()
            process.join(timeout=1)


def replace_together(files: Mapping[Path, bytes]) -> None:
    """Write every file to a temporary sibling, then rename them all into place with signals
    deferred (raised once the renames are done)."""
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.",
                                             delete=False) as handle:
                handle.write(data)
            staged[path] = Path(handle.name)
            os.chmod(staged[path], 0o666 & ~_umask())  # as an ordinary open() would
        with deferred_signals():
            for path, temporary in staged.items():
                os.replace(temporary, path)
    finally:
        for temporary in staged.values():
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()


def _umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
