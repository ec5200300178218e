"""Hostile and odd input to ``assistant add``: symbolic links, a very large page, pages that
show markup as text, control characters in file names, impossible years, file modes."""

from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import assistant
from assistant.cli import main
from assistant.documents.corpus import parse_document
from assistant.documents.importing import ImportRefusedError, import_file
from assistant.documents.importing.document import check_faithful
from assistant.documents.importing.types import Extracted

PASSWD = Path("/etc/passwd")
needs_passwd = pytest.mark.skipif(not PASSWD.is_file(), reason="no /etc/passwd here")

_LINES = (
    "Stadt Partnerschaft Bürgerinnen Verein Schule Austausch Jugend Kultur Rathaus Besuch",
    "Delegation Oberbürgermeisterin Freundschaft Begegnung Projekt Förderung Europa Sommer",
    "Frühjahr Konzert Ausstellung Gemeinde Verwaltung Ausschuss Sitzung Bericht Hochschule",
    "Zusammenarbeit Wirtschaft Studierende Reise Gastfamilie Sprache Feier Jubiläum Vertrag",
    "der die das und mit für im von zu den dem ein eine wird wurde seit auch über",
)
WORDS = [word for line in _LINES[:-1] for word in line.split()]
SMALL = _LINES[-1].split()

PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Partnerstadt Beispielstadt</title></head><body><main><article>
<h1>Partnerstadt Beispielstadt</h1>
<p>Seit 1985 verbindet die Stadt eine lebendige Städtepartnerschaft mit Beispielstadt in
Frankreich. Zahlreiche Vereine, Schulen und Bürgerinnen und Bürger pflegen den Austausch.</p>
<p>Für die Partnerschaft ist das Büro für Städtepartnerschaften zuständig, das jedes Jahr
Begegnungen, Reisen und Konzerte mit der Partnerstadt organisiert.</p>
</article></main></body></html>
"""


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS if rng.random() < 0.5 else SMALL) for _ in range(rng.randint(6, 16))]
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), str(rng.randint(1950, 2025)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def german_page(size: int, seed: int = 7) -> str:
    """An HTML page of about ``size`` bytes: headings, paragraphs, lists and tables of
    German text (not one repeated character)."""
    rng = random.Random(seed)
    parts = [
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Bericht</title>'
        "</head><body><main><article><h1>Bericht über die Städtepartnerschaften</h1>"
    ]
    total, n = len(parts[0]), 0
    while total < size:
        n += 1
        if n % 7 == 0:
            rows = "".join(
                f"<tr><td>{rng.randint(1950, 2025)}</td><td>{rng.choice(WORDS)} "
                f"{rng.choice(WORDS)}</td><td>{rng.randint(1, 500)} Teilnehmende</td></tr>"
                for _ in range(rng.randint(3, 12))
            )
            part = f"<table><tr><th>Jahr</th><th>Anlass</th><th>Umfang</th></tr>{rows}</table>"
        elif n % 5 == 0:
            part = f"<h2>Abschnitt {n}: {rng.choice(WORDS)} und {rng.choice(WORDS)}</h2>"
        elif n % 11 == 0:
            items = "".join(f"<li>{_sentence(rng)}</li>" for _ in range(rng.randint(2, 6)))
            part = f"<ul>{items}</ul>"
        else:
            part = "<p>" + " ".join(_sentence(rng) for _ in range(rng.randint(2, 8))) + "</p>\n"
        parts.append(part)
        total += len(part.encode("utf-8"))
    parts.append("</article></main></body></html>")
    return "".join(parts)


@contextmanager
def deadline(seconds: int):
    """Fail the test (instead of waiting for it) when the block runs longer than
    ``seconds``; the check runs between the steps of a long Python loop."""

    def _late(_signum, _frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, _late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _corpus(settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(settings.corpus_dir.glob("*.md"))}


def _err_lines(err: str) -> list[str]:
    assert err.endswith("\n")
    return err[:-1].split("\n")


# --- symbolic links ---------------------------------------------------------------------
@needs_passwd
def test_a_link_to_etc_passwd_is_refused_and_a_link_is_followed_only_when_asked(
    env, tmp_path, capsys
):
    link = tmp_path / "seite.txt"
    link.symlink_to(PASSWD)
    before = _corpus(env)
    assert main(["add", str(link), "--no-ingest"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(_err_lines(err)) == 1
    assert "symbolic link" in err and "--follow-symlinks" in err
    assert _corpus(env) == before

    elsewhere = tmp_path / "elsewhere" / "beispiel.html"
    elsewhere.parent.mkdir()
    elsewhere.write_text(PAGE, encoding="utf-8")
    page_link = tmp_path / "beispiel.html"
    page_link.symlink_to(elsewhere)
    assert main(["add", str(page_link), "--no-ingest"]) == 2
    assert _corpus(env) == before
    assert main(["add", str(page_link), "--no-ingest", "--follow-symlinks"]) == 0
    assert "added: " in capsys.readouterr().out
    assert len(_corpus(env)) == len(before) + 1
    with pytest.raises(SystemExit):
        main(["add", "--help"])
    assert "--follow-symlinks" in capsys.readouterr().out


@needs_passwd
def test_a_folder_import_skips_links_and_what_resolves_outside_it(env, tmp_path, capsys):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "beispiel.html").write_text(PAGE, encoding="utf-8")
    (folder / "passwd.txt").symlink_to(PASSWD)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "andere.html").write_text(PAGE.replace("Beispielstadt", "Musterstadt"))
    (folder / "mehr").symlink_to(outside, target_is_directory=True)
    before = _corpus(env)

    assert main(["add", str(folder), "--no-ingest"]) == 2
    out, err = capsys.readouterr()
    assert out.count("added: ") == 1 and "beispiel.html" in out
    lines = _err_lines(err)
    assert len(lines) == 2 and all("symbolic link" in line for line in lines)
    assert any("passwd.txt" in line for line in lines) and any("mehr" in line for line in lines)
    assert len(_corpus(env)) == len(before) + 1
    assert not any(b"root:" in text for text in _corpus(env).values())

    (folder / "passwd.txt").unlink()
    assert main(["add", str(folder), "--no-ingest", "--follow-symlinks"]) == 0
    out = capsys.readouterr().out
    assert "unchanged: " in out and "added: " in out and "andere.html" in out


# --- a very large page --------------------------------------------------------------------
def _paragraphs(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(_sentence(rng) for _ in range(rng.randint(2, 8))) for _ in range(count)]


def test_the_page_check_is_linear_and_still_refuses_text_that_is_not_in_the_page():
    """About 8 MB of page and 20,000 paragraphs: a search of the whole page per paragraph
    takes minutes; the check takes a second or two, in the page's order and out of it."""
    paragraphs = _paragraphs(20_000)
    page = " ".join(paragraphs)
    assert len(page) > 7_000_000

    def extracted(body_paragraphs: list[str]) -> Extracted:
        body = "# Bericht\n\n" + "\n\n".join(body_paragraphs) + "\n"
        return Extracted("html", "Bericht", body, body, page_text="Bericht " + page)

    with deadline(20):
        started = time.perf_counter()
        check_faithful(extracted(paragraphs))
        check_faithful(extracted(paragraphs[::-1]))  # out of the page's order
        invented = [*paragraphs[:10_000], "Diese Zeile steht nicht auf der Seite."]
        with pytest.raises(ImportRefusedError, match=r"not found in the page: 'Diese Zeile"):
            check_faithful(extracted([*invented, *paragraphs[10_000:][::-1]]))
        elapsed = time.perf_counter() - started
    assert elapsed < 20


@pytest.mark.slow
def test_a_17_mb_page_is_imported_within_a_minute(env, tmp_path):
    """The whole command on a realistic 17 MB page (under the 20 MB cap): it once ran for
    hours; it takes seconds now (the bound is generous for a loaded machine)."""
    path = tmp_path / "bericht.html"
    path.write_text(german_page(17 * 1024 * 1024), encoding="utf-8")
    assert path.stat().st_size > 17 * 1024 * 1024
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "assistant.cli", "add", str(path), "--no-ingest"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(assistant.__file__).parents[1])},
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("added: ") and elapsed < 60


# --- markup shown as text -------------------------------------------------------------------
MARKUP_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Sicherheit im Stadtportal</title></head><body><main><article>
<h1>Sicherheit im Stadtportal</h1>
<p>Die Redaktion der Partnerschaftsseiten erklärt hier, welche Eingaben das Portal als Text
zeigt und nie ausführt, damit Bürgerinnen und Bürger sicher Beiträge schreiben können.</p>
<p>Ein Angriff sieht so aus: &lt;script&gt;alert(1)&lt;/script&gt; und wird nur gezeigt.</p>
<p>Auch &lt;img src=x onerror=alert(1)&gt; bleibt Text, ebenso [Partnerstadt](javascript:alert(1))
und **fett**, `code`, _unterstrichen_ und [1].</p>
<table><tr><th>Eingabe</th><th>Bedeutung</th></tr>
<tr><td>a | b</td><td>&lt;b&gt;fett&lt;/b&gt;</td></tr></table>
<p>- kein Listenpunkt, # keine Überschrift, &gt; kein Zitat, Pfad C:\\Daten\\Partner</p>
</article></main></body></html>
"""


def test_a_page_that_shows_markup_as_text_is_imported_with_the_markup_as_text(
    tmp_path, fake_settings
):
    path = tmp_path / "sicherheit.html"
    path.write_text(MARKUP_PAGE, encoding="utf-8")
    result = import_file(path, fake_settings)
    assert result.status == "added"
    text = parse_document(result.document).text
    assert "alert(1)" in text and "onerror" in text and "Partnerstadt" in text
    # every angle bracket, square bracket and star of the page is escaped: text, not markup
    for mark in ("<", "[", "*"):
        at = [i for i, ch in enumerate(text) if ch == mark]
        assert at and all(text[i - 1] == "\\" for i in at), mark


# --- what the command says and writes -------------------------------------------------------
@pytest.mark.parametrize(
    "name", ["bad\nname.jpg", "zeile\r\nzwei\x1b[31m.jpg", "a\u2028b\u202e.jpg"]
)
def test_an_error_stays_one_line_whatever_the_file_name(env, tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" * 20)
    assert main(["add", str(path), "--no-ingest"]) == 2
    err = capsys.readouterr().err
    lines = _err_lines(err)
    assert len(lines) == 1 and lines[0].startswith("error: ") and "binary file" in err
    assert "\r" not in err and "\x1b" not in err and "\u2028" not in err and "\u202e" not in err


@pytest.mark.parametrize("year", ["99999", "-5", "1899", str(time.gmtime().tm_year + 1)])
def test_as_of_must_be_a_year_from_1900_to_this_year(env, tmp_path, capsys, year):
    path = tmp_path / "beispiel.html"
    path.write_text(PAGE, encoding="utf-8")
    before = _corpus(env)
    assert main(["add", str(path), "--no-ingest", "--as-of", year]) == 2
    err = capsys.readouterr().err
    assert len(_err_lines(err)) == 1 and "--as-of" in err and "1900" in err
    assert _corpus(env) == before


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664)])
def test_an_imported_file_gets_the_mode_the_umask_gives(tmp_path, fake_settings, umask, mode):
    path = tmp_path / "beispiel.html"
    path.write_text(PAGE, encoding="utf-8")
    previous = os.umask(umask)
    try:
        result = import_file(path, fake_settings)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(result.document.stat().st_mode) == mode


def test_a_binary_text_file_is_named_without_repeating_words(env, tmp_path, capsys):
    path = tmp_path / "daten.txt"
    path.write_bytes(b"abc\x00\x01\x02" * 100)
    assert main(["add", str(path), "--no-ingest"]) == 2
    err = capsys.readouterr().err
    assert "a binary file, not text" in err and "text text" not in err
