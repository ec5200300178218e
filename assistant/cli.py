"""Command line: a thin adapter over :class:`assistant.app.Assistant`."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence

from .config import Settings
from .corpus import CorpusError
from .manifest import IndexUnavailableError
from .records import Passage


def _passage_json(p: Passage) -> dict[str, object]:
    c = p.chunk
    return {
        "rank": p.rank,
        "score": round(p.score, 4),
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
        print(f"[{p.rank}] {p.score:.3f}  {p.chunk.doc_id} › {p.chunk.section}")
        body = textwrap.indent(p.chunk.passage_text.strip(), "    ")
        print(body if len(body) < 700 else body[:700] + " …")
        print()


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest import ingest

    print(ingest(Settings(), rebuild=args.rebuild).summary())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .app import Assistant

    passages = Assistant.open(Settings()).search(args.query, args.k)
    if args.json:
        print(json.dumps([_passage_json(p) for p in passages], ensure_ascii=False, indent=2))
    else:
        _print_passages(passages)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    """A terminal loop: type a question, see the passages that answer it."""
    from .app import Assistant

    assistant = Assistant.open(Settings())
    print("Fragen Sie nach Darmstadts Städtepartnerschaften / Ask about Darmstadt's twin towns.")
    print("Leere Zeile oder Strg-D beendet / empty line or Ctrl-D quits.\n")
    while True:
        try:
            question = input("› ").strip()
        except EOFError:
            break
        if not question:
            break
        _print_passages(assistant.search(question, args.k))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant", description="Citizens' assistant for Darmstadt's city partnerships."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="build or update the index from the corpus")
    p.add_argument("--rebuild", action="store_true", help="rebuild from scratch")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="raw retrieval: top passages with scores")
    p.add_argument("query")
    p.add_argument("-k", type=int, default=5, help="number of passages (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("chat", help="ask questions in the terminal")
    p.add_argument("-k", type=int, default=3, help="passages shown per question")
    p.set_defaults(func=cmd_chat)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CorpusError, IndexUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
