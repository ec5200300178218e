"""Contact cards in every common layout, and year lists."""

import pytest

from assistant.answering.reader.cards import lists_friendships, parse_card, year_items

CARDS = [
    (
        "Frau Alina Seel\nPartnerstädte: Bursa, Liepāja, Szeged, Uzhhorod\n"
        "Telefon: +49 (6151) 13-3608\nTelefax: +49 (6151) 13-3584\nE-Mail",
        ("Alina Seel", "+49 (6151) 13-3608", "", ("Bursa", "Liepāja", "Szeged", "Uzhhorod")),
    ),
    (
        "Sacaliuc, Ana-Violeta\nAbteilungsleiterin Internationale Beziehungen\n"
        "Telefon (06151) 13-2321\nFax (06151) 13-3584\nE-Mail international@darmstadt.de",
        ("Ana-Violeta Sacaliuc", "(06151) 13-2321", "international@darmstadt.de", ()),
    ),
    (
        "Ansprechpartnerin: Hannah Seibold, Umweltamt, Tel. 06144/71-6120, "
        "E-Mail hannah.seibold@example.org",
        ("Hannah Seibold", "06144/71-6120", "hannah.seibold@example.org", ()),
    ),
    (
        "Für Fragen zur Partnerschaft mit Pécs steht Ihnen Herr Mateusz Wierzbicki unter "
        "Telefon 06144 71-4413 zur Verfügung.",
        ("Mateusz Wierzbicki", "06144 71-4413", "", ()),
    ),
    (
        "Frau Dr. Johanna Kerkhoff\nLeiterin des Referats\nTelefon: 06144 71-4410\n"
        "E-Mail: johanna.kerkhoff@example.org",
        ("Dr. Johanna Kerkhoff", "06144 71-4410", "johanna.kerkhoff@example.org", ()),
    ),
    (
        "**Frau Anouk Verbeek**\nPartnerstädte in West- und Nordeuropa, Jugendaustausch\n"
        "Tel.: 06459 731-216\nE-Mail: anouk.verbeek@example.org",
        ("Anouk Verbeek", "06459 731-216", "anouk.verbeek@example.org", ()),
    ),
]


@pytest.mark.parametrize(("text", "expected"), CARDS)
def test_contact_cards_in_every_layout(text, expected):
    card = parse_card(text)
    person, phone, email, responsible = expected
    assert card is not None
    assert (card.person, card.phone, card.email) == (person, phone, email)
    assert card.responsible_for == responsible
    assert card.fax != card.phone


def test_the_role_line_and_the_fax():
    card = parse_card(CARDS[1][0])
    assert card.role == "Abteilungsleiterin Internationale Beziehungen"
    assert card.fax == "(06151) 13-3584"


def test_no_card_without_a_person_to_reach():
    assert parse_card("Das Projekt wurde vom Bundesministerium gefördert.") is None
    assert parse_card("Frau Alina Seel") is None  # a name, but no way to reach her
    assert parse_card("Telefon (06151) 13-3608") is None


def test_year_lists():
    assert year_items("- 1958 Alkmaar(Niederlande), Troyes (Frankreich)") == [
        (1958, "Alkmaar", "Niederlande"),
        (1958, "Troyes", "Frankreich"),
    ]
    assert year_items("- 2017 San Antonio (USA)") == [(2017, "San Antonio", "USA")]
    # a bracket of the name itself, then the country
    assert year_items("- 1990 Halle (Saale) (Deutschland), Musterhaven (Niederlande)") == [
        (1990, "Halle (Saale)", "Deutschland"),
        (1990, "Musterhaven", "Niederlande"),
    ]
    assert year_items("2014 gab es ein Fest in der Stadt und viele Besucher") == []


def test_emphasis_marks_are_no_role():
    card = parse_card(
        "**Frau Anouk Verbeek**\nPartnerstädte in West- und Nordeuropa\nTel.: 06459 731-216"
    )
    assert card.role == "Partnerstädte in West- und Nordeuropa"


def test_what_stands_before_the_bracket_with_the_number_is_no_role():
    card = parse_card(
        "Für die Partnerschaft mit Musterhaven ist Herr Max Muster zuständig "
        "(Tel. 01234 56-789, E-Mail m.muster@example.org)."
    )
    assert (card.person, card.phone, card.role) == ("Max Muster", "01234 56-789", "")
    inline = parse_card("Ansprechpartnerin: Erika Muster, Kulturamt, Tel. 01234 56-780")
    assert inline.role == "Kulturamt"
    bracketed = parse_card("Frau Erika Muster (Referentin), Tel. 01234 56-780")
    assert bracketed.role == "Referentin"
    clause = parse_card("Herr Max Muster, der den Dolmetscherpool betreut, Tel. 01234 56-781")
    assert clause.role == "der den Dolmetscherpool betreut"


def test_a_room_is_no_responsibility():
    card = parse_card("Frau Erika Muster\nZimmer: 2.10\nTelefon: 01234 56-789")
    assert card.responsible_for == ()
    card = parse_card("Frau Erika Muster\nPartnerstädte: Musterhaven, Beispielburg\nTel. 01234 5")
    assert card.responsible_for == ("Musterhaven", "Beispielburg")


def test_partnerships_are_read_from_year_lists_and_partnership_tables():
    from assistant.answering.reader.cards import partner_rows

    table = (
        "| Partnerstadt | Land | Partnerschaft seit | Kontakt |\n"
        "|---|---|---|---|\n"
        "| Beispielburg (deutsch: Probstadt) | Frankreich (Bretagne) | 1972 | Frau Muster |\n"
        "| Musterhaven | Polen | seit 2003 | m@example.org |\n"
        "| keine Stadt | Polen | 2004 | - |\n"
    )
    assert partner_rows(table) == [
        (1972, "Beispielburg", "Frankreich", table.splitlines()[2]),
        (2003, "Musterhaven", "Polen", table.splitlines()[3]),
    ]
    assert partner_rows("- 1958 Alkmaar (Niederlande)") == [
        (1958, "Alkmaar", "Niederlande", "- 1958 Alkmaar (Niederlande)")
    ]
    # a table without a place and a year column lists no partnerships
    assert partner_rows("| Datum | Ereignis |\n|---|---|\n| 1964 | Vertrag |") == []


def test_a_heading_of_friendships_lists_no_partnerships():
    assert lists_friendships("Städtefreundschaften")
    assert lists_friendships("Freundschaften und Projektpartnerschaften")
    assert lists_friendships("Freundschaften ohne Partnerschaftsvertrag")
    assert not lists_friendships("Partnerstädte und Freundschaften")  # both: the list holds both
    assert not lists_friendships("Unsere Partnerstädte")
    assert not lists_friendships("Kontakt")
