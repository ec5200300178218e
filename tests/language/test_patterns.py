"""Contact-detail patterns recognise the layouts cities print numbers in."""

import pytest

from assistant.language.patterns import EMAIL, PHONE


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Telefon: 0711 216-80050", "0711 216-80050"),
        ("Tel. (0221) 221-23456", "(0221) 221-23456"),
        ("Fon +49 (0)89 233-92412", "+49 (0)89 233-92412"),
        ("Phone +49 (711) 216-0", "+49 (711) 216-0"),
        ("Telefon +49 30 9025-0", "+49 30 9025-0"),
        ("Telefon: 0761 – 201-1024 (Erika Muster)", "0761 – 201-1024"),
        ("Tel. 02651 404-5522 – E-Mail e.muster@example.org", "02651 404-5522"),
    ],
)
def test_phone_numbers_are_found_whole(text, number):
    assert PHONE.search(text).group(0) == number


@pytest.mark.parametrize(
    "text",
    ["Seit 1992 mit 13 Schulen", "am 12.05.2019 um 10 Uhr", "2.500 Gäste", "von 1990 – 2000"],
)
def test_years_dates_and_counts_are_not_phone_numbers(text):
    assert PHONE.search(text) is None


def test_email_addresses_with_subdomains():
    assert EMAIL.search("Mail: partnerschaft@stadt.example.de.").group(0) == (
        "partnerschaft@stadt.example.de"
    )
