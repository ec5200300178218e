"""Answer types: what a question asks for, what a unit holds."""

import pytest

from assistant.answering.reader.held import counts_of, counts_people, held_types
from assistant.answering.reader.types import SATISFIED_BY, asked_types, phones, years
from assistant.language.words import fold_words


@pytest.mark.parametrize(
    ("question", "expected", "absent"),
    [
        ("Seit wann ist Trondheim Partnerstadt?", {"since", "when"}, set()),
        ("Bis wann war er in Ushgorod im Einsatz?", {"until", "when"}, set()),
        ("What's Julia Kuz's phone number?", {"phone"}, set()),
        ("email address of the international office", {"email"}, {"address"}),
        ("Hat die Stadt 15 oder 17 Partnerstädte?", {"count", "yes_no"}, set()),
        ("Which cities answered the survey?", {"list"}, set()),
        ("Wie viele Partnerstädte gibt es?", {"count"}, {"manner"}),
        ("Was kosten die Tickets?", {"cost"}, set()),
        ("Was hat die Reise gekostet?", {"cost"}, set()),
        # a sum of money asked by "how much" or "wie hoch"; not whether there is one
        ("Wie hoch ist der Zuschuss für die Bürgerreise?", {"cost"}, {"manner"}),
        ("Wie heißt der Pfarrer der Gemeinde?", set(), {"manner"}),  # a name, not a way
        ("how much funding per person?", {"cost"}, set()),
        ("Gibt es einen Zuschuss?", {"yes_no"}, {"cost"}),
        ("Welches ist die jüngste Partnerstadt?", {"newest"}, set()),
        ("Wer ist für Szeged zuständig?", {"person"}, set()),
        ("Fax number of the international relations department?", {"fax"}, {"count"}),
        ("What's the phone number of the head of the office?", {"phone"}, {"count"}),
        ("Number of partner cities?", {"count"}, set()),
        # a time of day, not only a day or a year
        ("Um wie viel Uhr beginnt der Festakt?", {"clock"}, set()),
        ("what time does the ceremony start?", {"clock"}, set()),
        ("An welchem Tag wurde die Urkunde unterzeichnet?", {"when", "day"}, {"clock"}),
        ("application deadline for the youth camp?", {"deadline"}, {"day"}),
        # the day, not only the month or the year
        ("What is the exact date of the citizens' trip in May?", {"day"}, set()),
        ("Wann ist das Fest?", {"when"}, {"day"}),
        # a frequency or a time frame, not a when
        ("How much does the town give each year for the exchange?", {"cost"}, {"when"}),
        ("Wie viele Schüler fahren pro Jahr nach Musterville?", {"count"}, {"when"}),
        ("Welches Jahr war das?", {"when"}, set()),
        ("Wann genau wurde die Urkunde unterzeichnet?", {"day"}, set()),
        ("Wann wurde die Urkunde genau unterzeichnet?", {"day"}, set()),
        ("when does the exchange start exactly?", {"day"}, set()),
        ("Since when exactly is Rennes our partner?", {"since"}, {"day"}),  # the year it began
        # a room or a floor; a room that is no place ("single room") asks none
        ("In welchem Zimmer sitzt Frau Muster?", {"room"}, set()),
        ("what room is erika muster in?", {"room"}, set()),
        ("Auf welchem Stockwerk ist das Büro?", {"room"}, set()),
        ("single room surcharge for the trip?", set(), {"room"}),
        # an address asked by name must be one; "wo ist" may be answered by a building
        ("Wie lautet die Postanschrift des Amts?", {"postal", "address"}, set()),
        ("What's the address of the office?", {"postal"}, set()),
        ("Wo ist das Büro?", {"address", "place"}, {"postal"}),
        ("email address of Erika Muster?", {"email"}, {"postal", "address"}),
        ("Does the association have a website address?", {"url"}, {"postal"}),
        # a sum named by a compound ("Fördergeld", "Preisgeld")
        ("Wie viel Fördergeld hat das Projekt bekommen?", {"cost"}, {"manner"}),
        ("Ist das mit einem Preisgeld verbunden, und wie hoch?", {"cost", "yes_no"}, set()),
        ("Wie viele Leute bekommen Fördergeld?", {"count"}, {"cost"}),
        # "which" of a plural asks a list; an auxiliary after the noun is none
        ("what time does the ceremony start?", {"clock"}, {"list"}),
        ("which year was the treaty signed?", {"when"}, {"list"}),
        ("which towns does it have?", {"list"}, set()),
        ("what best-practice examples are there?", {"list"}, set()),
        # which things a person looks after: the things, not a person
        ("Welche Partnerstädte betreut Herr Max Muster?", set(), {"person"}),
        ("Für welche Städte ist Frau Erika Muster zuständig?", set(), {"person"}),
        ("which partner cities does erika muster handle?", {"list"}, {"person"}),
        ("Welche Ansprechpartnerin ist für Musterhaven zuständig?", {"person"}, set()),
        ("Which staff member handles Musterhaven?", {"person"}, set()),
        ("What is the name of the person responsible for Musterhaven?", {"person"}, set()),
        ("Wer ist zuständig und welche Nummer hat er?", {"person", "phone"}, set()),
        ("What's the phone number of the head of the office?", {"person", "phone"}, {"duties"}),
        ("Welche Partnerstädte betreut Herr Max Muster?", {"duties"}, set()),
        ("In welchem Zimmer sitzt die Ansprechpartnerin?", {"room"}, {"duties"}),
        ("In welchem Zimmer sitzt Frau Erika Muster?", {"room"}, {"duties", "person"}),
        # a deadline: a date, or a time before something
        ("deadline for applying for a trip grant?", {"deadline"}, {"when"}),
        ("Wann ist die Antragsfrist?", {"deadline"}, {"when"}),
        ("how early do we have to apply?", {"deadline"}, {"manner"}),
        ("how far is it from Musterstadt to Musterhaven?", set(), {"deadline"}),
        # "bis wann" with a verb of must: a deadline, not when something ends
        ("Bis wann muss der Verwendungsnachweis vorliegen?", {"deadline"}, {"until", "when"}),
        ("by when do we have to apply?", {"deadline"}, {"until"}),
        ("Bis wann läuft die Partnerschaft?", {"until"}, {"deadline"}),
        # a time of day is no "how"
        ("Um wie viel Uhr beginnt der Festakt?", {"clock"}, {"manner"}),
        # how often, not how
        ("how often does the network meet?", {"frequency"}, {"manner"}),
        ("Wie oft im Jahr trifft sich der Verein?", {"frequency"}, {"manner", "when"}),
    ],
)
def test_what_a_question_asks_for(question, expected, absent):
    asked = asked_types(question)
    assert expected <= asked, asked
    assert not absent & asked


@pytest.mark.parametrize(
    ("question", "lang", "yes_no"),
    [
        ("Was kostet die Reise nach Musterville?", "de", False),  # German "what"
        ("Was the treaty signed in 1990?", "en", True),
        ("Ist Musterville eine Partnerstadt?", "de", True),
        ("Does Musterstadt run the Netzwerkstelle?", "de", True),  # read as German
        ("Will die Stadt einen Zuschuss geben?", "de", True),  # a German modal too
        ("Was kostet die Reise?", None, True),  # no language: either language's openers
    ],
)
def test_a_yes_no_question_opens_in_its_language(question, lang, yes_no):
    assert ("yes_no" in asked_types(question, lang)) is yes_no


def test_what_a_unit_holds():
    card = "Seel, Alina\nTelefon (06151) 13-3608\nFax (06151) 13-3584\nE-Mail a@b.de"
    assert {"person", "phone", "fax", "email"} <= held_types(card, "contact")
    assert {"year", "start"} & held_types("Darmstadt ist seit 1998 Mitglied.") == {"year"}
    assert "date" in held_types("am 30. November")
    assert "money" in held_types("Der Beitrag beträgt 24 Euro.")
    assert "address" in held_types("Luisenplatz 5 a\n64283 Darmstadt")
    assert "count" not in held_types("Postfach 11 10 61\n64225 Darmstadt")  # no count
    assert "time" in held_types("jeden dritten Mittwoch im Monat")
    # a weekday in any form: "mittwochs", "Donnerstagnachmittag"
    assert {"hours", "time", "day"} <= held_types("Sie ist mittwochs von 16 bis 18 Uhr besetzt.")
    assert "time" in held_types("Termine gibt es donnerstagnachmittags.")
    assert "end" in held_types("Das Projekt lief bis 2019.")
    # a deadline is met by a date and by a time before something
    relative = held_types("Anträge müssen spätestens acht Wochen vor Beginn eingehen.")
    assert SATISFIED_BY["deadline"] & relative and not SATISFIED_BY["when"] & relative
    assert SATISFIED_BY["deadline"] & held_types("Anträge bis zum 31. Januar 2025")
    assert "list" in held_types("Brescia, Liepāja, Płock und Darmstadt haben sich zusammengetan.")
    assert "organisation" in held_types("Das Projekt förderte das Bundesministerium (BMZ).")
    assert not {"year", "count"} & held_types("Telefon (06151) 13-3608")


@pytest.mark.parametrize(
    ("text", "room"),
    [
        ("Rathaus Musterville, Marktplatz 1, Zimmer 214", True),
        ("Raum: 1.15, Rathaus", True),
        ("E-Mail e.muster@musterville.de (Zi. 3.07)", True),
        ("Stadthaus, Schlossgasse 7, 2. Obergeschoss", True),
        ("Das Büro liegt im Erdgeschoss.", True),
        ("Luisenplatz 5 a, 64283 Musterville", False),  # an address names no room
        ("Ein Raum für Begegnungen zwischen den Städten", False),
    ],
)
def test_a_unit_holds_a_room_by_its_number_or_floor(text, room):
    assert ("room" in held_types(text)) is room


@pytest.mark.parametrize(
    ("text", "frequency"),
    [
        ("Zweimal im Jahr findet das Netzwerktreffen statt.", True),
        ("Der Preis wird alljährlich vergeben.", True),
        ("Die Feuerwehren treffen sich alle zwei Jahre.", True),
        ("Sprachstammtisch jeden ersten Dienstag im Monat", True),
        ("Eine Gruppe wird pro Kalenderjahr höchstens zweimal gefördert.", True),
        ("Der Markt fand 2019 bereits zum 35. Mal statt.", True),
        ("Das Fest findet im Zweijahresrhythmus statt.", True),
        ("Der Verein veranstaltet einen regelmäßigen Treff.", False),  # says no frequency
        ("Alle Partnerstädte kommen zum Fest.", False),
        ("Alle Gäste, also auch Kinder, sind willkommen.", False),  # "also" is no weekday
        ("Das Netzwerk wurde 2020 gegründet.", False),
    ],
)
def test_a_unit_says_how_often(text, frequency):
    assert ("frequency" in held_types(text)) is frequency


def test_numbers_are_told_apart():
    assert phones("Tel. 06144/71-6120, E-Mail x@y.de") == ["06144/71-6120"]
    assert years("Telefon (06151) 13-2025 und 64283 Darmstadt seit 1958") == [1958]
    assert counts_of(["pflegt", "17", "partnerstadten"], {"partnerstadten"})
    assert not counts_of(["seit", "1958", "partnerstadten"], {"partnerstadten"})  # a year


@pytest.mark.parametrize(
    ("text", "topic", "counts"),
    [
        ("Die Zahl der Plätze ist auf 48 begrenzt.", "platze", True),
        ("Mitglieder: rund 430", "mitglieder", True),
        ("Der Mitgliedsbeitrag beträgt 15.300 Euro.", "mitgliedsbeitrag", False),  # a sum
        ("Workshops für Klassen 8 bis 12", "klassen", False),  # no link: a range of grades
        ("Partnerstädte in 12 Ländern", "partnerstadte", False),  # counts the countries
        ("Partnerstädte seit 1958", "partnerstadte", False),  # a year
    ],
)
def test_a_number_after_what_it_counts(text, topic, counts):
    assert counts_of(fold_words(text), {topic}) is counts


@pytest.mark.parametrize(
    ("text", "people"),
    [
        ("Rund 220 Gäste aus beiden Städten", True),
        ("Rund 600 Besucherinnen und Besucher", True),  # a plural in -innen
        ("eine 14-köpfige Delegation", True),
        ("eine siebenköpfige Delegation", True),
        ("2.300 Teilnehmende an Begegnungen", True),
        ("mit mindestens 250 Gästen", True),  # any case ending
        ("45 Studierende aus elf Ländern", True),  # a noun in -ende
        ("seit 1998 Besucherinnen", False),  # a year
        ("zwei Stunden lang", False),
        ("an zwei Wochenenden", False),
        ("14 Fenster", False),
    ],
)
def test_a_count_of_people(text, people):
    assert counts_people(fold_words(text)) is people


def test_a_time_of_day_is_answered_by_a_unit_with_a_clock_time_only():
    from assistant.answering.reader.types import SATISFIED_BY

    assert "time" in held_types("Der Festakt beginnt um 18:30 Uhr im Rathaus.")
    assert not SATISFIED_BY["clock"] & held_types("Der Festakt findet am 9. Mai 2025 statt.")
    assert SATISFIED_BY["clock"] & held_types("Der Festakt beginnt um 18:30 Uhr im Rathaus.")
    # a weekday says when, but not at what time
    saturday = held_types("Der Markt ist jedes Jahr am Samstag nach dem Europatag.")
    assert SATISFIED_BY["when"] & saturday and not SATISFIED_BY["clock"] & saturday


@pytest.mark.parametrize(
    ("text", "dated"),
    [
        ("Jedes Jahr im März feiert der Verein sein Fest.", True),
        ("Unterschrieben wird der Vertrag Anfang November.", True),
        ("Die Gruppe reist in August nach Musterhaven.", True),
        ("Das Fest ist am dritten Septemberwochenende.", True),
        ("Die Bürgerreise ist für Mai 2025 geplant.", True),
        ("August Muster eröffnete den Abend.", False),  # a month's name is no date alone
        ("Der Verein trifft sich regelmäßig.", False),
    ],
)
def test_a_month_after_a_word_of_time_answers_when(text, dated):
    from assistant.answering.reader.types import SATISFIED_BY

    assert bool(SATISFIED_BY["when"] & held_types(text)) is dated


@pytest.mark.parametrize(
    ("text", "priced"),
    [
        ("Der Eintritt ist frei.", True),
        ("Die Beratung ist kostenlos.", True),
        ("Admission is free of charge.", True),
        ("Bis zu 80 % der Kosten werden übernommen.", True),
        ("Die Teilnahme kostet 20 Euro.", True),
        ("Der Verein ist frei von Vorgaben der Stadt.", False),
        ("80 % der Mitglieder kommen aus Musterstadt.", False),
    ],
)
def test_a_unit_that_says_it_costs_nothing_or_a_share_answers_what_it_costs(text, priced):
    assert ("money" in held_types(text)) is priced


def test_a_day_is_answered_by_a_date_or_a_weekday_not_by_a_month_and_year():
    from assistant.answering.reader.types import SATISFIED_BY

    day = SATISFIED_BY["day"]
    assert day & held_types("Die Urkunde wurde am 17. Juni 1972 unterzeichnet.")
    assert day & held_types("Vom 13. bis 15. Juni 2025 feiern wir.")
    assert day & held_types("Anmeldung bis 15.05.2025")
    assert day & held_types("Er ist dienstags bis donnerstags im Haus.")
    assert not day & held_types("Eine Bürgerreise ist für Mai 2025 geplant.")
    assert not day & held_types("Seit 1975 feiern wir jedes Jahr im Juni.")


@pytest.mark.parametrize(
    ("question", "asks_a_name"),
    [
        ("Wie heißt der Bürgermeister von Musterville?", True),
        ("who is the mayor of musterville?", True),
        ("Who chairs the friends' circle?", True),
        ("Wer ist Vorsitzende des Freundeskreises?", True),
        ("Wer ist für Szeged zuständig?", False),  # an office may answer that
        ("Wann besuchte der Bürgermeister Musterville?", False),  # asks when, not who
        ("What is the name of the partner city in Poland?", False),  # no role
    ],
)
def test_a_question_for_a_roles_holder_asks_for_a_name(question, asks_a_name):
    assert ("name" in asked_types(question)) is asks_a_name


@pytest.mark.parametrize(
    ("text", "names_one"),
    [
        ("Vorsitzende: Erika Muster", True),
        ("Karl Mustermann, Oberbürgermeister der Stadt", True),
        ("Ida Beispiel, die Vorsitzende des Freundeskreises", True),
        ("darunter der Bürgermeister von Musterville, Jean Exemple", True),
        ("Seit 2020 führt Jürgen Haldmann den Verein.", True),
        ("Den Kreis erreichen Sie über Herrn Bernd Lechler.", True),
        ("Pressekontakt: Max Muster, Pressesprecher, Telefon 01234 56-7", True),
        ("Ansprechpartnerin ist die Französischlehrerin Erika Muster.", True),
        ("| Yvonne Muster | Westeuropa | 01234 56-7 |", True),
        ("Per E-Mail an Musterstadt schreiben.", False),  # "Per" opens no name here
        ("Mark Brandenburg", False),
        ("Der Bürgermeister von Musterburg hat im Januar den Wunsch geäußert.", False),
        ("Nachmittags Empfang durch den Bürgermeister von Musterburg.", False),
        ("2. Der Bürgermeister wird ermächtigt, die Urkunde zu unterzeichnen.", False),
        ("Riverside (USA)", False),
    ],
)
def test_a_unit_names_a_person_beside_a_title_or_by_a_first_name(text, names_one):
    assert ("person" in held_types(text)) is names_one


def test_a_mobile_number_is_given_by_a_mobile_number_only():
    from assistant.answering.reader.types import SATISFIED_BY

    assert "mobile" in asked_types("Handynummer von Frau Beispiel?")
    assert "mobile" in asked_types("what is her mobile number?")
    assert "mobile" not in asked_types("Welche Telefonnummer hat das Büro?")
    mobile = SATISFIED_BY["mobile"]
    assert mobile & held_types("Ida Beispiel, Tel. 0170 5532918")  # by its prefix
    assert mobile & held_types("Mobil: 06151 2345678")  # by its label
    assert mobile & held_types("Tel. +49 151 1234567")
    assert not mobile & held_types("Telefon (06151) 13-3608")  # the office's
