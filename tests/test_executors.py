"""Executors: serial, process pool and a Dask LocalCluster give identical results; a worker
lost mid-run loses nothing and is reported."""

import contextlib
import os
import threading
import time

import pytest

from flowcert.reports import executors
from flowcert.reports.executors import Task, run_tasks

TASKS = [Task("DL1", (53,)), Task("DL7", (53,))]


def _comparable(execution):
    return [{k: v for k, v in o.to_json().items() if k != "seconds"}
            for o in execution.outcomes]


@pytest.fixture(scope="module")
def serial():
    return run_tasks(TASKS, workers=1)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as local:
        yield local


@pytest.mark.e2e
def test_process_pool_matches_serial(serial):
    pooled = run_tasks(TASKS, workers=2)
    assert _comparable(pooled) == _comparable(serial)
    assert [o.claim_id for o in pooled.outcomes] == ["DL1", "DL7"]


@pytest.mark.e2e
def test_dask_cluster_matches_serial(serial, cluster):
    finished = []
    remote = run_tasks(TASKS, scheduler=cluster.scheduler_address,
                       on_done=lambda task, _outcome: finished.append(task.claim_id))
    assert _comparable(remote) == _comparable(serial)
    assert sorted(finished) == ["DL1", "DL7"]
    assert remote.retried == []


def _kill_first_busy_worker(address, killed):
    from distributed import Client
    with Client(address) as client:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            busy = [worker for worker, keys in client.processing().items() if keys]
            if busy:
                # the worker dies before it can answer, so the call itself fails
                with contextlib.suppress(Exception):
                    client.run(os._exit, 1, workers=busy[:1])
                killed.append(busy[0])
                return
            time.sleep(0.05)


@pytest.mark.e2e
def test_lost_worker_is_retried_and_reported(cluster):
    killed = []
    killer = threading.Thread(target=_kill_first_busy_worker,
                              args=(cluster.scheduler_address, killed))
    killer.start()
    execution = run_tasks([Task("DL4", (53,))], scheduler=cluster.scheduler_address)
    killer.join()
    assert killed, "no worker was busy to be killed"
    assert execution.outcomes[0].passed
    assert execution.retried == ["DL4"]


@pytest.mark.e2e
def test_a_result_already_received_is_not_computed_again_when_its_worker_dies():
    """The client releases each result as it arrives, so losing the (only) worker afterwards
    does not make the scheduler recompute (and report as retried) a finished claim."""
    distributed = pytest.importorskip("distributed")
    finished = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as single:

        def kill_the_worker(task, _outcome):
            finished.append(task.claim_id)
            if len(finished) == 1:
                with distributed.Client(single.scheduler_address) as client, \
                        contextlib.suppress(Exception):
                    client.run(os._exit, 1)

        execution = run_tasks([Task("DL7", (53,)), Task("DL2", (53,))],
                              scheduler=single.scheduler_address, on_done=kill_the_worker)
    assert all(outcome.passed for outcome in execution.outcomes)
    assert finished[0] not in execution.retried
    assert sorted(finished) == ["DL2", "DL7"]


def test_unreachable_scheduler_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(executors, "DASK_CONNECT_TIMEOUT", "0.5s")  # nothing listens on port 9
    with pytest.raises(ValueError, match="cannot reach the Dask scheduler"):
        run_tasks(TASKS, scheduler="tcp://127.0.0.1:9")


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers must be"):
        run_tasks(TASKS, workers=0)


def test_a_task_runs_with_its_own_seed_whatever_the_worker_environment(monkeypatch):
    import os

    from flowcert.claims.base import Outcome
    from flowcert.reports import executors

    class SeedReporter:
        id = "XX1"

        @staticmethod
        def run(_precisions):
            return Outcome("XX1", True, evidence=[os.environ["FLOWCERT_SEED"]])

    monkeypatch.setattr(executors, "get_claim", lambda _claim_id, _sources: SeedReporter)
    monkeypatch.setenv("FLOWCERT_SEED", "1")
    assert executors.run_task(Task("XX1", (53,), seed=77)).evidence == ["77"]
    assert os.environ["FLOWCERT_SEED"] == "1"  # the worker's own setting is restored
