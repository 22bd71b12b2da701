"""Party resolution: ISO codes, English names, news short forms, and entities outside ISO 3166-1."""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
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


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Serbia and Montenegro", "SCG"),
        ("SCG", "SCG"),
        ("CSXX", "SCG"),
        ("Yugoslavia", "YUG"),
        ("Socialist Federal Republic of Yugoslavia", "YUG"),
        ("Federal Republic of Yugoslavia", "YUG"),
        ("USSR", "SUN"),
        ("Soviet Union", "SUN"),
        ("Union of Soviet Socialist Republics", "SUN"),
        ("Czechoslovakia", "CSK"),
        ("German Democratic Republic", "DDR"),
        ("East Germany", "DDR"),
        ("Democratic Yemen", "YMD"),
        ("People's Democratic Republic of Yemen", "YMD"),
        ("Byelorussian SSR", "BYS"),
        ("Zaire", "ZAR"),
        ("Upper Volta", "HVO"),
        ("North Vietnam", "VDR"),
    ],
)
def test_former_states_resolve_to_their_iso_3166_3_codes(name: str, code: str) -> None:
    """Yugoslavia, Serbia and Montenegro, the USSR, Czechoslovakia, the GDR, South Yemen ... resolve."""
    assert resolve_party(name) == code


def test_every_former_state_has_a_code_no_current_state_uses_and_a_readable_name() -> None:
    """Each ISO 3166-3 entry resolves by code and display name, without an inverted ISO name."""
    current = {country.alpha_3 for country in pycountry.countries}
    for former in pycountry.historic_countries:
        code = resolve_party(former.alpha_3)
        assert code == former.alpha_3
        assert resolve_party(former.alpha_4) == code
        name = party_name(code)
        assert resolve_party(name) == code, name
        if code not in current:
            assert "," not in name and not name.endswith(" of"), name


def test_a_former_code_that_iso_gave_again_is_the_territory_that_holds_it_now() -> None:
    """ATF was the French Southern and Antarctic Territories and is the French Southern Territories."""
    assert resolve_party("French Southern and Antarctic Territories") == "ATF"
    assert party_name("ATF") == "French Southern Territories"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("SCG", "Serbia and Montenegro"),
        ("YUG", "Yugoslavia"),
        ("SUN", "Soviet Union"),
        ("CSK", "Czechoslovakia"),
        ("DDR", "East Germany"),
        ("YMD", "South Yemen"),
    ],
)
def test_former_states_display_under_their_common_english_names(code: str, name: str) -> None:
    """party_name gives a readable name, not ISO's inverted 'Yugoslavia, (Socialist) Federal ...'."""
    assert party_name(code) == name


def test_the_yemen_arab_republic_is_yemen_which_kept_its_iso_code() -> None:
    """ISO's YE/YEM was the Yemen Arab Republic's and passed to the Republic of Yemen in 1990."""
    assert resolve_party("Yemen Arab Republic") == resolve_party("North Yemen") == "YEM"
    assert resolve_party("Yemen") == "YEM"
    assert resolve_party("South Yemen") == "YMD"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("BY", "BLR"),
        ("GE", "GEO"),
        ("Burma", "MMR"),
        ("East Timor", "TLS"),
        ("Macedonia", "MKD"),
    ],
)
def test_codes_and_names_of_current_states_are_never_taken_by_former_ones(name: str, code: str) -> None:
    """ISO 3166-3's two-letter codes (BY was the Byelorussian SSR) and reused names stay current."""
    assert resolve_party(name) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Serbia and Montenegro", "SCG"),
        ("Yemen Arab Republic", "YEM"),
        ("The former Yugoslav Republic of Macedonia", "MKD"),
        ("Netherlands (Kingdom of the)", "NLD"),
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Venezuela (Bolivarian Republic of)", "VEN"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Micronesia (Federated States of)", "FSM"),
        ("Republic of Moldova", "MDA"),
        ("United Republic of Tanzania", "TZA"),
        ("Côte d'Ivoire", "CIV"),
        ("Türkiye", "TUR"),
        ("Czechia", "CZE"),
        ("Holy See", "VAT"),
        ("State of Palestine", "PSE"),
        ("Democratic Republic of the Congo", "COD"),
        ("Congo", "COG"),
        ("Lao People's Democratic Republic", "LAO"),
        ("Syrian Arab Republic", "SYR"),
        ("Republic of Korea", "KOR"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("Russian Federation", "RUS"),
        ("Viet Nam", "VNM"),
        ("Brunei Darussalam", "BRN"),
        ("Eswatini", "SWZ"),
        ("Swaziland", "SWZ"),
        ("Cabo Verde", "CPV"),
        ("Cape Verde", "CPV"),
        ("North Macedonia", "MKD"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("United States of America", "USA"),
        ("Cook Islands", "COK"),
        ("Niue", "NIU"),
        ("St. Kitts and Nevis", "KNA"),
        ("St. Lucia", "LCA"),
        ("St. Vincent and the Grenadines", "VCT"),
        ("Libyan Arab Jamahiriya", "LBY"),
    ],
)
def test_un_treaty_collection_spellings_current_and_former_resolve(name: str, code: str) -> None:
    """UNTC's names, including its 'Short (long form of)' order, resolve to one stored code."""
    assert resolve_party(name) == code


def test_an_unknown_former_state_is_an_error_that_suggests_close_matches() -> None:
    """A misspelt former state gets the former state among its suggestions."""
    with pytest.raises(UnknownPartyError) as caught:
        resolve_party("Czechoslovakya")
    assert "Czechoslovakia (CSK)" in caught.value.suggestions


def _participants(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as table:
        return [row["Participant"] for row in csv.DictReader(table)]


def test_every_participant_of_the_ottawa_tables_resolves_to_its_own_state() -> None:
    """Every spelling in the UN table and the updates resolves, no two to one state, and the
    former and UNTC spellings to the state meant."""
    names = sorted({name for path in OTTAWA_TABLES for name in _participants(path)})
    codes = {name: resolve_party(name) for name in names}
    assert len(names) == 167  # 164 in the 2016 table (Serbia's only row is a declaration), 3 new
    assert len(set(codes.values())) == len(names)
    assert {name: codes[name] for name in OTTAWA_SPELLINGS} == OTTAWA_SPELLINGS


DATA = Path(__file__).parents[1] / "data"
OTTAWA_TABLES = (DATA / "untc_I-35597_ottawa_2016.csv", DATA / "ottawa_updates_2017_2026.csv")
# The participants of the Ottawa tables that pycountry's names alone do not resolve, or not obviously.
OTTAWA_SPELLINGS = {
    "Serbia and Montenegro": "SCG",
    "Serbia": "SRB",
    "Montenegro": "MNE",
    "Yemen Arab Republic": "YEM",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Netherlands": "NLD",
    "Congo": "COG",
    "Democratic Republic of the Congo": "COD",
    "Côte d'Ivoire": "CIV",
    "Holy See": "VAT",
    "Republic of Moldova": "MDA",
    "United Republic of Tanzania": "TZA",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "Czech Republic": "CZE",
    "Turkey": "TUR",
    "Swaziland": "SWZ",
    "Cape Verde": "CPV",
    "Brunei Darussalam": "BRN",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Cook Islands": "COK",
    "Niue": "NIU",
    "St. Kitts and Nevis": "KNA",
    "St. Lucia": "LCA",
    "St. Vincent and the Grenadines": "VCT",
    "State of Palestine": "PSE",
    "South Sudan": "SSD",
    "Timor-Leste": "TLS",
}
