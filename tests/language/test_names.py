"""First names and a first name before a surname."""

from assistant.language.names import first_and_surname, is_first_name


def test_first_names_in_any_case_and_double_names():
    assert is_first_name("Erika") and is_first_name("erika")
    assert is_first_name("Hans-Georg")
    assert not is_first_name("Partnerstadt")


def test_a_first_name_before_a_capitalised_word_on_one_line():
    assert first_and_surname("Vorsitzende ist Erika Muster.")
    assert not first_and_surname("Erika\nMuster")  # not on one line
    assert not first_and_surname("erika muster")  # not capitalised
    assert not first_and_surname("Die Partnerstadt Rennes")
