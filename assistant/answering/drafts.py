"""An answer being written: its text with numbered citations, the quotes it is made of, and
one answer merged from the answers to the parts of a compound question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from assistant.answering.phrases import phrases
from assistant.records import Chunk, Citation, Conflict, Passage


@dataclass
class Draft:
    text: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    confidence: float | None = None  # the reader's answerability probability (None: not read)
    closest: list[dict[str, object]] = field(default_factory=list)  # doc, section, relevance


class CitationNumbers:
    """Numbers passages in the order the answer first cites them."""

    def __init__(self) -> None:
        self.items: list[Citation] = []

    def add(self, chunk: Chunk, score: float, quote: str = "") -> int:
        """The number of the passage's citation; a passage cited again keeps every quote the
        answer gives of it (a line each), so that all of them can be shown in it."""
        for i, c in enumerate(self.items):
            if c.doc == chunk.doc_id and c.text == chunk.passage_text:
                self.items[i] = _with_quote(c, quote)
                return c.n
        n = len(self.items) + 1
        self.items.append(
            Citation(n, chunk.doc_id, chunk.title, chunk.section, chunk.passage_text, score, quote)
        )
        return n


def _with_quote(citation: Citation, quote: str) -> Citation:
    """``citation`` with ``quote`` added as a line of its quote, unless it holds it already."""
    quote = quote.strip()
    if not quote or quote in citation.quote:
        return citation
    return replace(citation, quote=f"{citation.quote}\n{quote}" if citation.quote else quote)


def merge_drafts(drafts: list[Draft], lang: str) -> Draft:
    """One answer from the answers to the parts of a compound question: citations are
    renumbered in order, a repeated answer is said once (whatever passages it cites), a
    quote another part already gave is not given again, the framing of quotes is said once,
    and a part without an answer is named as such (all parts unanswered → the first part's
    refusal)."""
    answered = [d for d in drafts if not d.abstained]
    if not answered:
        return drafts[0]
    cites: list[Citation] = []
    texts: list[str] = []
    conflicts: list[Conflict] = []
    said: set[str] = set()  # the parts' texts without their citation markers
    quotes: set[str] = set()  # the quotes given so far, each with what stands before its marker
    shown: list[str] = []  # the lines quoted so far, and the lines the parts' citations quote
    mark = phrases(lang)["quote_mark"]
    intro = _intro_pattern(lang)
    framed = False  # the quotes' framing was said
    for draft in drafts:
        if draft.abstained:
            texts.append(phrases(lang)["part_not_found"])
            continue
        bare = _MARKERS.sub("", draft.text)
        if bare in said:
            continue  # two parts answered by the same sentence, from other passages too
        said.add(bare)
        numbers: dict[int, int] = {}
        for c in draft.citations:
            at = next((i for i, o in enumerate(cites) if o.doc == c.doc and o.text == c.text), None)
            if at is None:
                cites.append(replace(c, n=len(cites) + 1))
                at = len(cites) - 1
            else:
                cites[at] = _with_quote(cites[at], c.quote)  # both parts' quotes of it
            numbers[c.n] = cites[at].n
        text, framed = _new_quotes(_renumber(draft.text, numbers), quotes, intro, framed)
        if shown:
            text = _new_lines(text, shown, mark, intro)
        if text and text not in texts:
            texts.append(text)
        shown += [_flat(line) for c in draft.citations for line in _lines(c.quote)]
        shown += [_flat(line) for line in _quoted_lines(text, mark)]
        for c in draft.conflicts:
            values = [{**v, "n": numbers.get(v.get("n"), v.get("n"))} for v in c.values]
            conflicts.append(replace(c, values=values))
    known = [d.confidence for d in answered if d.confidence is not None]
    text, cites, conflicts = _cited_only(" ".join(texts), cites, conflicts)
    merged = Draft(text, False, cites, conflicts, min(known) if known else None)
    merged.closest = next((d.closest for d in drafts if d.closest), [])
    return merged


def _intro_pattern(lang: str) -> re.Pattern[str]:
    """The framing of quotes (``quote_intro``) as it opens a text, whatever page it names."""
    template = re.escape(phrases(lang)["quote_intro"])
    for name in ("title", "section"):
        template = template.replace(re.escape("{" + name + "}"), ".+?")
    return re.compile(rf"^\s*{template}\s*")


def _new_quotes(
    text: str, quotes: set[str], intro: re.Pattern[str], framed: bool
) -> tuple[str, bool]:
    """A part's text without the quotes (each up to its citation marker) that the answer
    gave already, and without the framing once it was said; and whether it is said now."""
    pieces = _MARKER.split(text)  # text, number, text, number, …, text
    kept: list[str] = []
    for piece, number in zip(pieces[0::2], [*pieces[1::2], ""], strict=True):
        marker = f"[{number}]" if number else ""
        found = intro.match(piece)
        body = piece[found.end() :] if found else piece
        if marker and body.strip() in quotes:
            continue
        if found and framed:
            piece = body
        framed = framed or bool(found)
        quotes.add(body.strip())
        kept.append(piece + marker)
    return "".join(kept).strip(), framed


def _cited_only(
    text: str, cites: list[Citation], conflicts: list[Conflict]
) -> tuple[str, list[Citation], list[Conflict]]:
    """The citations the text still marks, numbered anew in the order it first marks them."""
    order = list(dict.fromkeys(int(n) for n in _MARKER.findall(text)))
    numbers = {old: new for new, old in enumerate(order, 1)}
    kept = [replace(c, n=numbers[c.n]) for c in cites if c.n in numbers]
    kept.sort(key=lambda c: c.n)
    moved = [
        replace(c, values=[{**v, "n": numbers.get(v.get("n"), v.get("n"))} for v in c.values])
        for c in conflicts
    ]
    return _renumber(text, numbers), kept, moved


_MARKERS = re.compile(r"\s*\[\d+\]")
_MARKER = re.compile(r"\[(\d+)\]")  # a citation marker, its number captured


def _renumber(text: str, numbers: dict[int, int]) -> str:
    """``text`` with each citation marker [n] replaced by [numbers[n]]."""
    return _MARKER.sub(lambda m: f"[{numbers.get(int(m[1]), int(m[1]))}]", text)


def _flat(text: str) -> str:
    return " ".join(plain(text).split())


def _quoted_lines(text: str, mark: str) -> list[str]:
    """The lines a text quotes (each in ``mark``, the language's quote marks)."""
    return [line for piece in _MARKER.split(text)[0::2] for line in _split_quotes(piece, mark)]


def _split_quotes(piece: str, mark: str) -> list[str]:
    """The lines of a run of quoted lines ("„a“ „b“"); none when the piece is no such run."""
    opening, closing = mark.split("{text}")
    body = piece.strip()
    if not (body.startswith(opening) and body.endswith(closing)):
        return []
    inner = body[len(opening) : len(body) - len(closing)]
    return inner.split(f"{closing} {opening}")


def _new_lines(text: str, shown: list[str], mark: str, intro: re.Pattern[str]) -> str:
    """A later part's text without the quoted lines an earlier part showed already: a line
    another quote or citation holds is left out, a line that goes on from one keeps only what
    follows it, and a quote left without lines goes with its marker (the parts of "when was
    it founded, and how often does it meet?" are often answered from one passage, the second
    with the first's sentence and the one after it)."""
    pieces = _MARKER.split(text)  # text, number, text, number, …, text
    kept: list[str] = []
    framing = ""  # the framing of a quote left out, for the next quote kept
    for piece, number in zip(pieces[0::2], [*pieces[1::2], ""], strict=True):
        found = intro.match(piece)
        head, body = (piece[: found.end()], piece[found.end() :]) if found else ("", piece)
        lines = _split_quotes(body, mark) if number else []
        if not lines:  # no quote: said as it is (a framing left over waits for a quote)
            kept.append(piece + (f"[{number}]" if number else ""))
            continue
        new: list[str] = []
        for line in lines:
            flat = _flat(line)
            if any(flat in old for old in shown):
                continue
            start = next((old for old in shown if flat.startswith(old)), None)
            rest = flat[len(start) :].strip() if start else line
            if rest:
                new.append(rest)
        if not new:
            framing = framing or head
            continue
        quotes = " ".join(mark.format(text=line) for line in new)
        kept.append(f"{framing or head}{quotes} [{number}] ")
        framing = ""
    return " ".join("".join(kept).split())


def relevance(p: Passage) -> float:
    """The relevance a passage is cited with: its calibrated relevance, else its score."""
    return p.relevance if p.relevance is not None else p.score


def plain(text: str) -> str:
    """Text as an answer shows it: without the pages' Markdown bold markers."""
    return text.replace("**", "")


def _lines(unit: str) -> list[str]:
    """The lines of a unit as they may be quoted: verbatim, without the list, table or bold
    markup around and in them (inside too: a sentence cut from a bold span would otherwise
    show one of its "**"); rule rows and empty lines left out."""
    out = []
    for line in unit.splitlines():
        line = re.sub(r"^\s*(?:[-*•]\s+)?", "", line).strip().strip("|").strip()
        line = plain(line).strip()
        if line and not re.fullmatch(r"[\s|:–-]*", line):
            out.append(line)
    return out


def one_line(unit: str) -> str:
    """A unit as one line of text (for comparing and for values): its lines joined."""
    return "; ".join(_lines(unit))


def quoted(unit: str, words: dict, n: int) -> str:
    """A unit quoted line by line, each line verbatim, with its citation marker."""
    quotes = [words["quote_mark"].format(text=line) for line in _lines(unit)]
    return words["quote"].format(text=" ".join(quotes), n=n)
