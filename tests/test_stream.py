"""The workers' stream (droplint.workers.Stream): tasks handed out as they come, answers as
they arrive, each worker sent its next task ahead; a worker that dies costs its own task
only, and a big task is never sent ahead (two full pipes would wait for each other)."""

from __future__ import annotations

import multiprocessing
import signal

import pytest

from droplint import workers


@pytest.fixture
def pool():
    made = []

    def make(size: int) -> workers.Pool:
        made.append(workers.Pool(size, workers.Limits(), multiprocessing.get_context("forkserver")))
        return made[-1]

    yield make
    for each in made:
        each.close()


def _failed(task, reason: str):
    return ("failed", task[0], reason)


def _hang(signum, frame):
    raise TimeoutError("the stream hangs")


def _answers(stream) -> dict:
    return dict(iter(stream))


def test_answers_come_with_their_tickets_and_tasks_put_meanwhile_are_run(pool):
    stream = pool(2).stream(eval, _failed)
    tickets = [stream.put((f"{n} * 10",)) for n in range(5)]
    assert tickets == [0, 1, 2, 3, 4]
    answers = {}
    for ticket, value in stream:
        answers[ticket] = value
        if value < 100:  # each of the first answers asks for one more
            stream.put((f"{value} + 100",))
    assert sorted(answers) == list(range(10))
    assert sorted(answers.values()) == [0, 10, 20, 30, 40, 100, 110, 120, 130, 140]


def test_a_dying_worker_fails_its_own_task_and_the_one_sent_ahead_is_run_again(pool):
    # One worker: while it runs the second task (which sleeps, then kills its process),
    # the third has been sent ahead to it; it must be answered by the fresh worker.
    stream = pool(1).stream(eval, _failed)
    tasks = ["1", "__import__('time').sleep(0.5) or __import__('os')._exit(3)", "3", "4", "5"]
    for text in tasks:
        stream.put((text,))
    answers = _answers(stream)
    assert [answers[n] for n in (0, 2, 3, 4)] == [1, 3, 4, 5]
    failed, text, reason = answers[1]
    assert (failed, text) == ("failed", tasks[1]) and "process died" in reason


def test_big_tasks_with_big_answers_do_not_fill_both_pipes(pool):
    # Each task and each answer is larger than a pipe holds: a task sent ahead to a
    # worker that is sending its answer would wait for ever, and so would the worker.
    big = "x" * 400_000
    stream = pool(1).stream(eval, _failed)
    for n in range(4):
        stream.put((f"{big!r}[:0] + 'y' * 400_000 + '{n}'",))
    previous = signal.signal(signal.SIGALRM, _hang)
    signal.alarm(120)  # a hang fails the test instead of stopping the suite
    try:
        answers = _answers(stream)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert sorted(answers) == [0, 1, 2, 3]
    assert [answers[n][-1] for n in range(4)] == ["0", "1", "2", "3"]
    assert {len(answer) for answer in answers.values()} == {400_001}
