"""Party resolution: ISO codes, English names, news short forms, and entities outside ISO 3166-1."""

from __future__ import annotations

import pytest

from declaration_events import UnknownPartyError, party_name, resolve_party


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("CAN", "CAN"),
        ("CA", "CAN"),
        ("Canada", "CAN"),
        ("canada", "CAN"),
        ("United States", "USA"),
        ("U.S.", "USA"),
        ("US", "USA"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("Russia", "RUS"),
        ("South Korea", "KOR"),
        ("North Korea", "PRK"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Vatican", "VAT"),
        ("China", "CHN"),
        ("Saint Vincent and the Grenadines", "VCT"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("EU", "EU"),
        ("European Union", "EU"),
        ("Kosovo", "XKX"),
        ("XK", "XKX"),
    ],
)
def test_codes_names_and_short_forms_resolve_to_one_stored_code(name: str, code: str) -> None:
    """Alpha-2, alpha-3, English names and news short forms all resolve."""
    assert resolve_party(name) == code


def test_an_unknown_name_is_an_error_that_suggests_close_matches() -> None:
    """A misspelt name gets up to three suggestions."""
    with pytest.raises(UnknownPartyError) as caught:
        resolve_party("Cnada")
    assert "Canada (CAN)" in caught.value.suggestions
    assert len(caught.value.suggestions) <= 3
    assert "did you mean" in str(caught.value)
    assert isinstance(caught.value, LookupError)


def test_a_name_with_nothing_close_has_no_suggestions() -> None:
    """Gibberish gets a plain error."""
    with pytest.raises(UnknownPartyError, match=r"unknown party 'Qqqqqqqqqqq'$"):
        resolve_party("Qqqqqqqqqqq")


def test_stored_codes_have_display_names() -> None:
    """Codes render as English names, including EU and Kosovo."""
    assert party_name("CAN") == "Canada"
    assert party_name("EU") == "European Union"
    assert party_name("XKX") == "Kosovo"
    assert party_name("KOR") == "South Korea"
