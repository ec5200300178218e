"""Where a question names a place, by any of its names."""

from assistant.language.places import Gazetteer
from assistant.language.words import fold_words


def test_a_place_by_its_other_name_is_the_place_the_pages_name():
    gazetteer = Gazetteer(["Bratislava", "Musterville"], {"Bratislava": ["Pressburg"]})
    (place,) = gazetteer.in_words(fold_words("Wer ist für Pressburg zuständig?"))
    assert ("bratislava",) in place and ("pressburg",) in place


def test_another_name_is_met_as_written_never_by_similarity():
    gazetteer = Gazetteer(["Musterville"], {"Musterville": ["Gradec"]})
    assert not gazetteer.in_words(fold_words("warum gerade dann"))  # "gerade" is no "Gradec"
    (place,) = gazetteer.in_words(fold_words("Wer betreut Mustervile?"))  # the pages' name
    assert ("musterville",) in place


def test_a_common_word_is_no_misspelt_place():
    gazetteer = Gazetteer(["Startow"])
    assert not gazetteer.in_words(fold_words("when did the exchange start"))
    (place,) = gazetteer.in_words(fold_words("who handles Starttow"))  # a slip is still found
    assert ("startow",) in place


def test_only_the_other_names_are_met_as_written():
    gazetteer = Gazetteer(["Bratislava"], {"Bratislava": ["Pressburg"]})
    assert gazetteer.as_written(("pressburg",))
    assert not gazetteer.as_written(("bratislava",))
