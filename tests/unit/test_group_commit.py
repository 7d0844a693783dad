import threading

import pytest

from silkgate.declarations.group_commit import GroupCommitter


def test_each_job_gets_its_own_outcome_in_order():
    batches = []
    gate = threading.Event()

    def commit(jobs):
        gate.wait(5)
        batches.append(list(jobs))
        return [j * 10 for j in jobs]

    committer = GroupCommitter(commit, max_batch=8)
    futures = [committer.submit(i) for i in range(20)]
    gate.set()
    assert [f.result(5) for f in futures] == [i * 10 for i in range(20)]
    committer.close()
    assert sum(len(b) for b in batches) == 20
    assert max(len(b) for b in batches) <= 8
    assert len(batches) < 20  # jobs that waited together were committed together


def test_a_failed_commit_fails_every_job_of_its_batch():
    def commit(jobs):
        raise RuntimeError("database gone")

    committer = GroupCommitter(commit)
    future = committer.submit("x")
    with pytest.raises(RuntimeError, match="database gone"):
        future.result(5)
    committer.close()


def test_close_finishes_what_was_submitted():
    committer = GroupCommitter(lambda jobs: list(jobs))
    futures = [committer.submit(i) for i in range(5)]
    committer.close()
    assert [f.result(1) for f in futures] == list(range(5))
