"""The word helpers of ``assistant/language/words.py``."""

from assistant.language.words import two_words


def test_two_words_of_the_language_written_as_one_are_a_noun():
    assert two_words("radclub")  # Rad, Club
    assert two_words("vereinsfest")  # Verein with its joining -s, Fest
    assert two_words("jugendchor")


def test_a_name_is_not_two_words_of_the_language():
    for name in ("musterville", "quarzelbach", "erikastadt", "szeged"):
        assert not two_words(name), name
