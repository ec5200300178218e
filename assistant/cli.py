"""Command line: a thin adapter over :class:`assistant.app.Assistant`.

The arguments of every command and the dispatch are here; the commands of a stage live next
to it: ``assistant add``/``remove`` in :mod:`assistant.documents.commands`, ``assistant eval``
in :mod:`assistant.evaluation.commands`, ``assistant feedback``/``unanswered``/``staff-hash`` in
:mod:`assistant.serving.commands`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from assistant.config import Settings
from assistant.documents.commands import cmd_add, cmd_remove, one_line
from assistant.documents.corpus import CorpusError
from assistant.evaluation.commands import cmd_eval
from assistant.guard import RejectedInputError
from assistant.indexing.manifest import IndexUnavailableError
from assistant.records import Passage
from assistant.serving.commands import cmd_feedback_export, cmd_staff_hash, cmd_unanswered


def _passage_json(p: Passage) -> dict[str, object]:
    c = p.chunk
    return {
        "rank": p.rank,
        "score": round(p.score, 4),
        "relevance": None if p.relevance is None else round(p.relevance, 4),
        "leg_scores": {k: round(v, 4) for k, v in p.leg_scores.items()},
        "doc": c.doc_id,
        "title": c.title,
        "section": c.section,
        "chunk_id": c.id,
        "span": [c.start, c.end],
        "text": c.passage_text,
    }


def _print_passages(passages: list[Passage]) -> None:
    if not passages:
        print("(no passages)")
    for p in passages:
        legs = " ".join(f"{k}={v:.3f}" for k, v in p.leg_scores.items())
        rel = "" if p.relevance is None else f"relevance {p.relevance:.2f}  "
        print(f"[{p.rank}] {p.score:.3f}  {rel}{p.chunk.doc_id} › {p.chunk.section}")
        print(f"    ({legs})")
        body = textwrap.indent(p.chunk.passage_text.strip(), "    ")
        print(body if len(body) < 700 else body[:700] + " …")
        print()


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.indexing.ingest import ingest

    report = ingest(Settings(), rebuild=args.rebuild)
    print(report.summary())
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.app import Assistant

    overrides = {"retriever": args.retriever} if args.retriever else {}
    passages = Assistant.open(Settings(**overrides)).search(args.query, args.k, args.lang)
    if args.json:
        print(json.dumps([_passage_json(p) for p in passages], ensure_ascii=False, indent=2))
    else:
        _print_passages(passages)
    return 0


def _print_answer(answer) -> None:
    print(answer.answer)
    if answer.citations:
        print("\nQuellen / Sources:")
    for c in answer.citations:
        print(f"  [{c.n}] {c.title} › {c.section} ({c.doc}, {c.score:.2f})")
        if c.quote:
            print(f"      „{c.quote[:300]}“")


def cmd_ask(args: argparse.Namespace) -> int:
    """One question (readable or --json), or a batch: --jsonl IN --out OUT."""
    from assistant.app import Assistant

    if args.jsonl and not args.out:
        print("error: --jsonl needs --out", file=sys.stderr)
        return 2
    if not args.jsonl and args.question is None:
        print("error: give a question, or --jsonl IN --out OUT", file=sys.stderr)
        return 2
    assistant = Assistant.open(Settings())
    if args.jsonl:
        return _ask_batch(assistant, args.jsonl, args.out)
    answer = assistant.ask(args.question, lang=args.lang)
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)
    sys.stdout.flush()
    _record(assistant, answer)  # after the answer: recording reads the corpus's words
    return 0


def _unanswered_log(assistant):
    """The log of questions the pages do not answer, for this assistant (None when off)."""
    from assistant.serving.unanswered import assistant_corpus, open_log

    settings = assistant.settings
    return open_log(
        settings,
        assistant.retriever.embedder.name,
        assistant_corpus(assistant),
        assistant.places,
    )


def _record(assistant, answer) -> None:
    """Record a refused or low-confidence answer of ``assistant ask`` (not of a batch)."""
    from assistant.serving.unanswered import safe_record

    log = _unanswered_log(assistant)
    if log is not None:
        safe_record(log, answer)
        log.close()


def _batch_item(line: str) -> tuple[dict | None, str]:
    """One batch line as a question object, or None and what is wrong with it."""
    try:
        item = json.loads(line)
    except ValueError as exc:
        return None, f"not JSON ({exc})"
    if not isinstance(item, dict) or not isinstance(item.get("question"), str):
        return None, 'not an object with a "question" string'
    if item.get("lang") not in (None, "de", "en"):
        return None, '"lang" must be "de" or "en"'
    return item, ""


def _ask_batch(assistant, source: Path, target: Path) -> int:
    """Answer every line of ``source`` into ``target``; a malformed line is reported with
    its number and skipped (exit status 1), the others are answered."""
    lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    bad = 0
    with target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            item, problem = _batch_item(line)
            if item is None:
                print(f"error: {source} line {number}: {problem}; skipped", file=sys.stderr)
                bad += 1
                continue
            answer = assistant.ask(item["question"], lang=item.get("lang")).to_dict()
            if "id" in item:
                answer = {"id": item["id"], **answer}
            out.write(json.dumps(answer, ensure_ascii=False) + "\n")
    return 1 if bad else 0


def cmd_chat(args: argparse.Namespace) -> int:
    """A terminal loop: type a question, read the answer and its sources."""
    from assistant.app import Assistant
    from assistant.serving.unanswered import safe_record

    assistant = Assistant.open(Settings())
    unanswered = _unanswered_log(assistant)
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # stray bytes become U+FFFD, not a crash
    home = assistant.home or "der Stadt"
    print(f"Fragen Sie nach den Städtepartnerschaften von {home} / Ask about {home}'s twin towns.")
    print("Leere Zeile oder Strg-D beendet / empty line or Ctrl-D quits.\n")
    history: list[tuple[str, str]] = []
    while True:
        try:
            question = input("› ").strip()
        except EOFError:
            break
        if not question:
            break
        answer = assistant.ask(question, history=history)
        safe_record(unanswered, answer)
        _print_answer(answer)
        print()
        history.append((question, answer.answer))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """The web UI on the loopback address (or --host/--port) until Ctrl-C."""
    from assistant.serving.server import serve

    serve(Settings(), host=args.host, port=args.port, staff_port=args.staff_port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Citizens' assistant for a city's partnerships, answered from its own pages.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an unexpected error"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="build or update the index from the corpus")
    p.add_argument("--rebuild", action="store_true", help="rebuild from scratch")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("add", help="import HTML, PDF or text files (or folders) into the corpus")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a file or a folder")
    p.add_argument("--id", help="the document id (a slug; default: from the title)")
    p.add_argument("--title", help="default: the page's <h1> or <title>, the PDF's title")
    p.add_argument("--publisher", help="default: what the page names (og:site_name)")
    p.add_argument("--city", help="default: ASSISTANT_HOME_CITY, else the corpus's city")
    p.add_argument("--source", help="default: the page's own URL, else a description")
    p.add_argument(
        "--as-of",
        type=int,
        metavar="YEAR",
        help="a year from 1900 to this year (default: the latest year in the text)",
    )
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="import what symbolic links point to, wherever that is (default: a link given "
        "is refused; in a folder, links and files resolving outside it are skipped and reported)",
    )
    p.add_argument("--no-ingest", action="store_true", help="do not update the index")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="delete a corpus document and its chunks")
    p.add_argument("id", help="the document id")
    p.add_argument("--no-ingest", action="store_true", help="do not update the index")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("search", help="raw retrieval: top passages with scores")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument(
        "--retriever", choices=["hybrid", "dense", "bm25"], help="default: ASSISTANT_RETRIEVER"
    )
    p.add_argument("--lang", choices=["de", "en"], help="question language (default: detected)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with numbered sources")
    p.add_argument("question", nargs="?")
    p.add_argument("--json", action="store_true", help="print the JSON answer")
    p.add_argument("--lang", choices=["de", "en"], help="answer language (default: detected)")
    p.add_argument("--jsonl", type=Path, help="batch: one JSON question per line")
    p.add_argument("--out", type=Path, help="batch: where the JSON answers go")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run the eval question sets against floors and baseline")
    p.add_argument(
        "files",
        nargs="*",
        type=Path,
        help="question files (default: every set of evals/: evals/*.jsonl and "
        "evals/<name>/questions.jsonl)",
    )
    p.add_argument(
        "--set",
        dest="sets",
        action="append",
        metavar="NAME",
        help="run only this set (main, or a folder name of evals/); repeatable",
    )
    p.add_argument("--list-sets", action="store_true", help="list the question sets and stop")
    p.add_argument("--report", type=Path, help="write a Markdown report here")
    p.add_argument("--json", dest="json_out", type=Path, help="write the JSON result here")
    p.add_argument("--baseline", type=Path, help="baseline file (default: evals/baseline.json)")
    p.add_argument("--floors", type=Path, help="floors file (default: evals/floors.json)")
    p.add_argument(
        "--update-baseline", action="store_true", help="write this run as the new baseline"
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("chat", help="ask questions in the terminal")
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("serve", help="start the web UI (default http://127.0.0.1:7860)")
    p.add_argument("--host", help="listen address (default: ASSISTANT_UI_HOST, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: ASSISTANT_UI_PORT, 7860)")
    p.add_argument(
        "--staff-port",
        type=int,
        help="port of the staff app, which needs a staff login configured "
        "(default: ASSISTANT_STAFF_PORT, 7861)",
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "staff-hash", help="print the salted hash of a staff password (for the staff login)"
    )
    p.add_argument(
        "--min-length", type=int, default=12, help="shortest password accepted (default 12)"
    )
    p.set_defaults(func=cmd_staff_hash)

    p = sub.add_parser("feedback", help="the ratings given in the web UI")
    feedback = p.add_subparsers(dest="feedback_command", required=True)
    p = feedback.add_parser("export", help="write every rating as CSV")
    p.add_argument("--out", type=Path, help="CSV file (default: standard output)")
    p.set_defaults(func=cmd_feedback_export)

    p = sub.add_parser(
        "unanswered", help="the questions the pages did not answer, grouped by topic"
    )
    p.add_argument("--days", type=int, help="only the last N days (default: every kept row)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--export", type=Path, metavar="FILE.csv", help="write the rows as CSV")
    p.add_argument("--lang", choices=["de", "en"], default="en", help="report language")
    p.set_defaults(func=cmd_unanswered)
    return parser


def _tolerant_output() -> None:
    """Text that the terminal cannot show is escaped instead of ending the program."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _tolerant_output()
    try:
        return int(args.func(args))
    except (CorpusError, IndexUnavailableError, RejectedInputError) as exc:
        print(one_line(f"error: {exc}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:  # a message, never a traceback (unless --debug)
        if args.debug:
            raise
        message = f"error: {type(exc).__name__}: {exc} (--debug shows where)"
        print(one_line(message), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
