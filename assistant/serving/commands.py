"""The staff commands over what the web UI stored: ``assistant feedback export`` (the
ratings as CSV) and ``assistant unanswered`` (the questions the pages do not answer); and
``assistant staff-hash``, the stored form of a staff password for the staff app's login."""

from __future__ import annotations

import argparse
import json
import sys

from assistant.config import Settings


def cmd_feedback_export(args: argparse.Namespace) -> int:
    """Every stored rating as CSV, to --out or standard output."""
    from assistant.serving.feedback import FeedbackStore

    settings = Settings()
    store = FeedbackStore(settings.feedback_path)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8", newline="") as out:
            n = store.export_csv(out)
        print(f"{n} feedback rows written to {args.out}", file=sys.stderr)
    else:
        n = store.export_csv(sys.stdout)
        print(f"{n} feedback rows from {settings.feedback_path}", file=sys.stderr)
    return 0


def cmd_unanswered(args: argparse.Namespace) -> int:
    """The questions the pages do not answer, grouped by topic (or --export FILE.csv)."""
    from assistant.indexing.embedding import make_embedder
    from assistant.serving.render import ui_texts
    from assistant.serving.scrub import Scrubber
    from assistant.serving.unanswered import UnansweredLog
    from assistant.serving.unanswered_report import render_text, report

    settings = Settings()
    if args.days is not None and args.days < 0:
        print("error: --days must be 0 or more", file=sys.stderr)
        return 2
    log = UnansweredLog(
        settings.unanswered_path, Scrubber([]), settings.unanswered_retention_days
    )  # reading only: the scrubber is not used
    try:
        if args.export:
            args.export.parent.mkdir(parents=True, exist_ok=True)
            with args.export.open("w", encoding="utf-8", newline="") as out:
                n = log.export_csv(out, args.days)
            print(f"{n} unanswered questions written to {args.export}", file=sys.stderr)
            return 0
        embedder = make_embedder(settings.embedding, settings.embedding_threads or None)
        data = report(log, embedder, args.days)
    finally:
        log.close()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(render_text(data, ui_texts(args.lang)))
    return 0


def cmd_staff_hash(args: argparse.Namespace) -> int:
    """Ask for a password (twice, at a terminal; else one line of standard input) and print
    its salted hash, for ASSISTANT_STAFF_PASSWORD_HASH or a credentials file."""
    import getpass

    from assistant.serving.staff_auth import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < args.min_length:
        print(f"error: a password needs {args.min_length} characters at least", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0
