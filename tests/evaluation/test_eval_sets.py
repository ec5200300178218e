"""Question sets: discovery in evals/, validation per set, results by set and split, and sets
answered over their own corpus, indexed into a temporary folder."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import REPO
from eval_fakes import (
    OWN_QUESTIONS,
    FakeAssistant,
    fake_answer,
    make_evals_dir,
    make_question,
    question_line,
    write_lines,
)

from assistant.config import Settings
from assistant.evaluation.harness import SetAssistants, own_corpus_settings, run_eval, run_sets
from assistant.evaluation.questions import (
    MAIN_SET,
    EvalDataError,
    QuestionSet,
    discover_sets,
    folders_without_questions,
    load_corpus_texts,
    load_questions,
    select_sets,
    sets_for_files,
    validate,
    validate_set,
)
from assistant.indexing.embedding import FakeEmbedder


@pytest.fixture
def evals_dir(tmp_path) -> Path:
    """An evals folder: a main set, a set over the main corpus, a set with its own corpus,
    and a folder whose questions are not written yet."""
    return make_evals_dir(tmp_path / "evals")


def test_sets_are_the_main_file_and_each_folder_with_questions(evals_dir):
    sets = discover_sets(evals_dir)
    assert [s.name for s in sets] == [MAIN_SET, "extra", "own"]
    assert sets[0].files == (evals_dir / "questions.jsonl",) and sets[0].paired
    assert sets[1].corpus_dir is None and not sets[1].paired
    assert sets[2].corpus_dir == evals_dir / "own" / "corpus"
    assert folders_without_questions(evals_dir) == ["pending"]
    assert discover_sets(evals_dir / "nowhere") == []


def test_a_folder_may_not_take_the_main_sets_name(evals_dir):
    write_lines(evals_dir / MAIN_SET / "questions.jsonl", [question_line()])
    with pytest.raises(EvalDataError, match="main set"):
        discover_sets(evals_dir)


def test_the_repositorys_sets_include_the_main_set():
    sets = {s.name: s for s in discover_sets(REPO / "evals")}
    assert sets[MAIN_SET].files == (REPO / "evals" / "questions.jsonl",)
    for name in ("fresh", "other-city"):
        folder = REPO / "evals" / name
        if (folder / "questions.jsonl").exists():
            assert sets[name].files == (folder / "questions.jsonl",)
    if "other-city" in sets:
        assert sets["other-city"].corpus_dir == REPO / "evals" / "other-city" / "corpus"


def test_sets_are_picked_by_name(evals_dir):
    sets = discover_sets(evals_dir)
    assert [s.name for s in select_sets(sets, ["own", MAIN_SET])] == [MAIN_SET, "own"]
    assert select_sets(sets, []) == sets
    with pytest.raises(EvalDataError, match=r"'nope'.*the sets are: main, extra, own"):
        select_sets(sets, ["nope"])


def test_named_files_are_the_main_set_unless_they_are_a_sets_file(evals_dir, tmp_path):
    mine = write_lines(tmp_path / "mine.jsonl", [question_line()])
    sets = sets_for_files([mine, evals_dir / "own" / "questions.jsonl"], evals_dir)
    assert [(s.name, s.files) for s in sets] == [
        (MAIN_SET, (mine,)),
        ("own", (evals_dir / "own" / "questions.jsonl",)),
    ]
    assert sets[1].corpus_dir == evals_dir / "own" / "corpus"


def test_only_the_main_set_needs_pairs_and_dev_or_test(evals_dir):
    corpus = {"d": "Partnerstädte: Bursa, Szeged"}
    lone = [make_question(id="f1", pair_id="f1", split="fresh")]
    assert validate(lone, corpus, paired=False) == []
    problems = "\n".join(validate(lone, corpus))
    assert "pair f1: languages ['de']" in problems and "split 'fresh'" in problems
    straddling = [
        make_question(),
        make_question(id="x-en", lang="en", question="Who handles Szeged?", split="test"),
    ]
    assert validate(straddling, corpus) == ["pair x: its questions are in different splits"]


def test_unpaired_sets_check_schema_ids_and_split(evals_dir):
    corpus = {"d": "Partnerstädte: Bursa, Szeged"}
    problems = validate(
        [
            make_question(id="f1", split=""),
            make_question(id="f1", split="fresh"),
            make_question(id="f2", split="all"),
            make_question(id="f3", answerable="yes", split="fresh"),
            make_question(id="f4", gold=[{"doc": "d"}], split="fresh"),
            make_question(id="", pair_id="", split="fresh"),
        ],
        corpus,
        paired=False,
    )
    text = "\n".join(problems)
    for expected in (
        "duplicate id f1",
        "f1: no split",
        "f2: split 'all' is reserved",
        "f3: answerable must be true or false",
        "f4: gold must be a list of {doc, evidence} strings",
        ": empty id",
        ": empty pair_id",
    ):
        assert expected in text
    assert "pair" not in text.replace("pair_id", "")


def test_a_set_with_its_own_corpus_is_checked_against_that_corpus(evals_dir):
    own, extra = discover_sets(evals_dir)[2], discover_sets(evals_dir)[1]
    assert validate_set(own, load_questions(own.files), REPO / "corpus") == []
    # its evidence is not in the main corpus, and the main corpus is not its corpus
    assert validate(load_questions(own.files), {}, paired=False) != []
    wrong = write_lines(evals_dir / "extra" / "questions.jsonl", OWN_QUESTIONS[:1])
    problems = validate_set(extra, load_questions([wrong]), REPO / "corpus")
    assert problems == ["extra: e1: unknown gold doc 'elmstadt-partner'"]


def test_the_other_city_pages_load_as_a_sets_own_corpus():
    corpus = REPO / "evals" / "other-city" / "corpus"
    texts = load_corpus_texts(corpus)
    evidence = "| Exeter | Vereinigtes Königreich | 1956 |"
    gold = [{"doc": "rosenfurt-partnerstaedte", "evidence": evidence}]
    q = make_question(id="o1", pair_id="o1", split="other-city", gold=gold)
    assert validate_set(QuestionSet("other-city", (), corpus), [q], REPO / "corpus") == []
    assert validate([q], texts, paired=False) == []
    main_problems = validate([q], load_corpus_texts(REPO / "corpus"), paired=False)
    assert main_problems == ["o1: unknown gold doc 'rosenfurt-partnerstaedte'"]


def test_an_own_corpus_keeps_the_settings_but_not_those_of_the_main_corpus(tmp_path):
    class CitySettings(Settings):
        home_city: str | None = None

    main = CitySettings(
        corpus_dir=tmp_path / "c",
        index_dir=tmp_path / "i",
        embedding="fake",
        top_k=7,
        chroma_host="127.0.0.1",
        home_city="Darmstadt",
    )
    own = own_corpus_settings(main, tmp_path / "own", tmp_path / "tmp-index")
    assert (own.corpus_dir, own.index_dir) == (tmp_path / "own", tmp_path / "tmp-index")
    assert own.embedding == "fake" and own.top_k == 7
    assert own.chroma_host is None and own.home_city is None
    assert main.chroma_host == "127.0.0.1" and main.corpus_dir == tmp_path / "c"


GOLD = ("d", "Partnerstädte: Bursa, Szeged")
OTHER = ("d", "something else")


def test_results_are_broken_down_by_split_and_language():
    qs = [
        make_question(id="a-de", pair_id="a", question="A?"),
        make_question(id="a-en", pair_id="a", lang="en", question="A en?"),
        make_question(id="b-de", pair_id="b", question="B?", split="test"),
        make_question(id="b-en", pair_id="b", lang="en", question="B en?", split="test"),
    ]
    ranking = {"A?": [GOLD], "A en?": [GOLD], "B?": [OTHER, GOLD], "B en?": [OTHER]}
    result = run_eval(FakeAssistant(ranking), qs)
    assert list(result["by_split"]) == ["dev", "test"]
    dev, test = result["by_split"]["dev"], result["by_split"]["test"]
    assert dev["overall"]["hit1"]["rate"] == 1.0 and dev["overall"]["questions"] == 2
    assert test["by_language"]["de"]["hit5"]["rate"] == 1.0
    assert test["by_language"]["de"]["hit1"]["rate"] == 0.0
    assert test["by_language"]["en"]["hit5"]["rate"] == 0.0
    assert test["overall"]["mrr10"] == pytest.approx(0.25)
    assert {q["id"]: q["split"] for q in result["questions"]}["b-en"] == "test"
    assert result["questions"][0]["question"] == "A?"


def _opener(assistants: dict[str, object], opened: list[str]):
    @contextmanager
    def assistant_for(qset: QuestionSet):
        opened.append(qset.name)
        yield assistants[qset.name]

    return assistant_for


def test_each_set_runs_with_its_assistant_and_keeps_the_run_eval_structure(evals_dir):
    sets = discover_sets(evals_dir)
    loaded = [(s, load_questions(s.files)) for s in sets]
    answers = {
        "Wer ist für Quarnbek zuständig?": fake_answer("Tolksdorf [1]", "de", cited=OWN_GOLD),
        "Since when has Quarnbek been a twin town of Elmstadt?": fake_answer(
            "Not in the pages.", "en", abstained=True
        ),
    }
    own = FakeAssistant({"Wer ist für Quarnbek zuständig?": [OWN_GOLD]}, answers)
    fakes = {MAIN_SET: FakeAssistant({"Who handles Szeged?": [GOLD]}), "extra": FakeAssistant({})}
    opened: list[str] = []
    run = run_sets(loaded, _opener({**fakes, "own": own}, opened))
    assert opened == [MAIN_SET, "extra", "own"]
    assert list(run["sets"]) == opened and run["answers_available"]
    for result in run["sets"].values():
        assert {"overall", "by_language", "by_category", "by_split", "questions"} <= set(result)
    main = run["sets"][MAIN_SET]
    assert main["by_language"]["en"]["hit1"]["count"] == 1
    assert main["by_split"]["test"]["overall"]["questions"] == 2
    own_result = run["sets"]["own"]
    assert own_result["corpus"].endswith("own/corpus") and own_result["files"]
    assert own_result["by_language"]["de"]["answer_pass"]["rate"] == 1.0
    assert own_result["by_language"]["en"]["false_refusal"]["rate"] == 1.0
    assert {(q["set"], q["split"]) for q in own_result["questions"]} == {("own", "own")}
    rows = [(r["set"], r["split"], r["questions"]) for r in run["headline"]]
    assert rows == [
        (MAIN_SET, "dev", 2),
        (MAIN_SET, "test", 2),
        (MAIN_SET, "all", 4),
        ("extra", "fresh", 1),
        ("own", "own", 2),
    ]
    own_row = run["headline"][-1]
    assert own_row["pass_de"]["rate"] == 1.0 and own_row["pass_en"]["rate"] == 0.0
    assert own_row["false_refusal"]["count"] == 1 and own_row["hit1"]["n"] == 2


OWN_GOLD = ("elmstadt-partner", "Frau Wiebke Tolksdorf")


class _Recording(SetAssistants):
    """Remembers the settings of every assistant it opens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened = []

    def _open(self, settings):
        self.opened.append(settings)
        return super()._open(settings)


@pytest.mark.slow
def test_a_set_with_its_own_corpus_is_indexed_apart_and_the_index_removed(evals_dir, fake_settings):
    sets = select_sets(discover_sets(evals_dir), [MAIN_SET, "own", "extra"])
    loaded = [(s, load_questions(s.files)) for s in sets]
    assistants = _Recording(fake_settings, embedder=FakeEmbedder(), log=lambda _m: None)
    run = run_sets(loaded, assistants)
    main_settings, own_settings = assistants.opened  # the main assistant is opened once
    assert main_settings is fake_settings
    assert own_settings.corpus_dir == evals_dir / "own" / "corpus"
    assert own_settings.index_dir != fake_settings.index_dir
    assert not own_settings.index_dir.exists()  # removed once the set ran
    assert own_settings.embedding == "fake" and own_settings.chroma_host is None
    own = run["sets"]["own"]
    retrieved = [c for q in own["questions"] for c in q["retrieved"]]
    assert retrieved and own["by_language"]["de"]["hit1"]["rate"] == 1.0
    assert own["by_language"]["de"]["answer_pass"]["rate"] == 1.0
    main_ids = {c for q in run["sets"][MAIN_SET]["questions"] for c in q["retrieved"]}
    assert main_ids and not main_ids & set(retrieved)
    assert (fake_settings.index_dir / "manifest.json").exists()  # the main index is kept
