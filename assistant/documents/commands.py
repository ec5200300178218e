"""The ``assistant add`` and ``assistant remove`` commands: import pages into the corpus or
delete a document, print what became of each, then update the index."""

from __future__ import annotations

import argparse
import sys
import unicodedata

from assistant.config import Settings

# control (Cc: newline, tab, escape), format (Cf: bidi and zero-width marks), surrogate (Cs:
# undecodable bytes of a file name), line and paragraph separators (Zl, Zp)
_ESCAPED = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def one_line(text: str) -> str:
    """``text`` with every control or invisible character shown as an escape (``\\n``,
    ``\\x1b``, ``\\u202e``): a file name cannot split a report line or hide what it says."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _ESCAPED else ch
        for ch in text
    )


def _run_ingest() -> None:
    from assistant.indexing.ingest import ingest

    report = ingest(Settings())
    print(f"ingest: {report.summary()}")
    for warning in report.warnings:
        print(one_line(f"warning: {warning}"), file=sys.stderr)


def cmd_add(args: argparse.Namespace) -> int:
    """Import files or folders into the corpus; a refused file is one line on stderr and
    the others go on (exit status 2 at the end)."""
    from assistant.documents.importing import ImportOptions, ImportRefusedError, import_paths

    options = ImportOptions(
        doc_id=args.id,
        title=args.title,
        publisher=args.publisher,
        city=args.city,
        source=args.source,
        as_of=args.as_of,
        follow_symlinks=args.follow_symlinks,
    )
    try:
        results = import_paths(args.paths, Settings(), options)
    except ImportRefusedError as exc:
        print(one_line(f"error: {exc}"), file=sys.stderr)
        return 2
    for r in results:
        if r.ok:
            print(one_line(f"{r.status}: {r.path} -> {r.document} ({r.message})"))
        else:
            print(one_line(f"error: {r.path}: {r.message}"), file=sys.stderr)
    if not results:
        print("error: no files to import", file=sys.stderr)
        return 2
    if any(r.ok for r in results) and not args.no_ingest:
        _run_ingest()
    return 0 if all(r.ok for r in results) else 2


def cmd_remove(args: argparse.Namespace) -> int:
    """Delete a corpus document; the ingest that follows deletes its chunks."""
    from assistant.documents.importing import ImportRefusedError, remove_document

    try:
        path = remove_document(args.id, Settings())
    except ImportRefusedError as exc:
        print(one_line(f"error: {exc}"), file=sys.stderr)
        return 2
    print(one_line(f"removed: {args.id} ({path})"))
    if not args.no_ingest:
        _run_ingest()
    return 0
