"""Party codes: resolve what a log calls a state or organisation to one stored code.

Current states are ISO 3166-1 (pycountry.countries): stored as alpha-3, found by alpha-2,
alpha-3, name, common and official name. Former states and territories are ISO 3166-3
(pycountry.historic_countries): stored as their ISO 3166-3 alpha-3 code (YUG, SCG, SUN, CSK,
DDR, YMD, ZAR ...), which no current state uses, and found by that code, the four-letter ISO
3166-3 code (YUCS, CSXX ...) and the names in `FORMER_NAMES`. Their two-letter codes are not
recognised: ISO has since given most of them to other states (BY is Belarus, not the
Byelorussian SSR; CS was both Czechoslovakia and Serbia and Montenegro).

Where ISO kept a code through a change of name or union, the older names resolve to the state
that holds the code today: the Yemen Arab Republic's YE/YEM passed to the Republic of Yemen at
unification (1990), so "Yemen Arab Republic" is YEM; the Ukrainian SSR is UKR. Where a former
entry's alpha-3 is a current code (ATF, the French Southern and Antarctic Territories), its
names resolve to the current holder of that code, the same territory. Names still in current use
for a current state keep resolving to it ("Burma" is Myanmar, "East Timor" Timor-Leste), although
ISO 3166-3 also lists them for the codes they had before.

UNTC (the UN Treaty Collection) writes some names as "Short (long form of)": "Netherlands
(Kingdom of the)", "Bolivia (Plurinational State of)". A name of that shape that is not known as
written is also tried as "long form of Short" ("Kingdom of the Netherlands").
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import cache

import pycountry

from .errors import UnknownPartyError

__all__ = ["party_name", "resolve_party", "resolve_territory", "territories"]

# Entities diplomacy needs that ISO 3166-1 does not list, with their stored code.
EXTRA_ENTITIES: dict[str, tuple[str, ...]] = {
    "EU": ("European Union", "EU", "EUR"),
    "XKX": ("Kosovo", "XK", "XKX", "Republic of Kosovo"),
}

# Former states and territories of ISO 3166-3, by their stored code: display name first, then
# other names they went by (UN and treaty practice, common English). pycountry's own name (often
# inverted: "Yugoslavia, (Socialist) Federal Republic of") and ISO codes are added to these.
FORMER_NAMES: dict[str, tuple[str, ...]] = {
    "AFI": ("French Afars and Issas", "French Territory of the Afars and the Issas"),
    "ANT": ("Netherlands Antilles",),
    "ATB": ("British Antarctic Territory",),
    "ATN": ("Dronning Maud Land", "Queen Maud Land"),
    "BUR": ("Burma (before 1989)", "Socialist Republic of the Union of Burma"),
    "BYS": ("Byelorussian SSR", "Byelorussian Soviet Socialist Republic", "Belorussian SSR"),
    "CSK": (
        "Czechoslovakia",
        "Czechoslovak Socialist Republic",
        "Czech and Slovak Federal Republic",
        "Czechoslovak Republic",
    ),
    "CTE": ("Canton and Enderbury Islands",),
    "DDR": ("East Germany", "German Democratic Republic", "GDR"),
    "DHY": ("Dahomey", "Republic of Dahomey"),
    "FXX": ("Metropolitan France",),
    "GEL": ("Gilbert and Ellice Islands",),
    "HVO": ("Upper Volta", "Republic of Upper Volta"),
    "JTN": ("Johnston Island",),
    "MID": ("Midway Islands",),
    "NHB": ("New Hebrides",),
    "NTZ": ("Neutral Zone", "Saudi Arabian-Iraqi Neutral Zone"),
    "PCI": ("Trust Territory of the Pacific Islands",),
    "PCZ": ("Panama Canal Zone",),
    "PUS": ("US Miscellaneous Pacific Islands",),
    "RHO": ("Southern Rhodesia", "Rhodesia"),
    "SCG": ("Serbia and Montenegro", "State Union of Serbia and Montenegro"),
    "SKM": ("Sikkim",),
    "SUN": ("Soviet Union", "USSR", "U.S.S.R.", "Union of Soviet Socialist Republics"),
    "TMP": ("East Timor (before 2002)", "Portuguese Timor"),
    "VDR": (
        "North Vietnam",
        "Democratic Republic of Viet-Nam",
        "Democratic Republic of Viet Nam",
        "Democratic Republic of Vietnam",
    ),
    "WAK": ("Wake Island",),
    "YMD": (
        "South Yemen",
        "Democratic Yemen",
        "People's Democratic Republic of Yemen",
        "Yemen, Democratic",
    ),
    "YUG": (
        "Yugoslavia",
        "Socialist Federal Republic of Yugoslavia",
        "Federal Republic of Yugoslavia",
        "SFR Yugoslavia",
        "SFRY",
        "FRY",
    ),
    "ZAR": ("Zaire", "Republic of Zaire"),
}

# Short forms common in news copy, and UNTC's current and former spellings, that pycountry's
# names do not cover. These win over every other name.
ALIASES: dict[str, str] = {
    "UK": "GBR",
    "U.K.": "GBR",
    "Great Britain": "GBR",
    "Britain": "GBR",
    "US": "USA",
    "U.S.": "USA",
    "U.S.A.": "USA",
    "America": "USA",
    "United States of America": "USA",
    "Russia": "RUS",
    "South Korea": "KOR",
    "Republic of Korea": "KOR",
    "North Korea": "PRK",
    "DPRK": "PRK",
    "Czech Republic": "CZE",
    "Vatican": "VAT",
    "Vatican City": "VAT",
    "Holy See": "VAT",
    "Turkey": "TUR",
    "Ivory Coast": "CIV",
    "Cote d'Ivoire": "CIV",
    "Macedonia": "MKD",
    "The former Yugoslav Republic of Macedonia": "MKD",
    "Former Yugoslav Republic of Macedonia": "MKD",
    "FYR Macedonia": "MKD",
    "FYROM": "MKD",
    "Palestine": "PSE",
    "Micronesia": "FSM",
    "Brunei": "BRN",
    "Cape Verde": "CPV",
    "Swaziland": "SWZ",
    "Burma": "MMR",
    "East Timor": "TLS",
    "Democratic Republic of the Congo": "COD",
    "DR Congo": "COD",
    "DRC": "COD",
    "Republic of the Congo": "COG",
    "Congo-Brazzaville": "COG",
    "China": "CHN",
    "People's Republic of China": "CHN",
    "PRC": "CHN",
    "Iran": "IRN",
    "Syria": "SYR",
    "Laos": "LAO",
    "Vietnam": "VNM",
    "Moldova": "MDA",
    "Bolivia": "BOL",
    "Venezuela": "VEN",
    "Tanzania": "TZA",
    "Saint Vincent": "VCT",
    "St Kitts and Nevis": "KNA",
    "St Lucia": "LCA",
    "St Vincent and the Grenadines": "VCT",
    # ISO kept these codes through the change, so the older names are today's state.
    "Yemen Arab Republic": "YEM",
    "North Yemen": "YEM",
    "Ukrainian SSR": "UKR",
    "Ukrainian Soviet Socialist Republic": "UKR",
    "Libyan Arab Jamahiriya": "LBY",
    "Kampuchea": "KHM",
    "Democratic Kampuchea": "KHM",
    "Khmer Republic": "KHM",
    "Ceylon": "LKA",
    "Western Samoa": "WSM",
}

_PUNCTUATION = re.compile(r"[.\u2019'`,()]")
_SPACE = re.compile(r"\s+")
# UNTC's "Netherlands (Kingdom of the)": a short name, then its long form in parentheses.
_SHORT_THEN_LONG = re.compile(r"^(?P<short>[^()]+?)\s*\((?P<long>[^()]+)\)$")


def _normal(name: str) -> str:
    folded = _PUNCTUATION.sub("", name.casefold().replace("&", " and "))
    folded = _SPACE.sub(" ", folded).strip()
    return folded.removeprefix("the ")


def _keys(name: str) -> Iterator[str]:
    """The normalised forms a name is looked up by: as written, then long form first."""
    yield _normal(name)
    parts = _SHORT_THEN_LONG.match(name.strip())
    if parts:
        yield _normal(f"{parts['long']} {parts['short']}")


@cache
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """Normalised name or code -> stored code, and stored code -> display name."""
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        alpha3: str = country.alpha_3
        display = getattr(country, "common_name", None) or country.name
        names[alpha3] = display
        for label in (
            country.alpha_2,
            alpha3,
            country.name,
            getattr(country, "common_name", None),
            getattr(country, "official_name", None),
        ):
            if label:
                codes.setdefault(_normal(label), alpha3)
        short = _SHORT_THEN_LONG.match(country.name)  # "Falkland Islands (Malvinas)": also "Falkland Islands"
        if short:
            codes.setdefault(_normal(short["short"]), alpha3)
    for former in pycountry.historic_countries:
        code: str = former.alpha_3
        labels = (*FORMER_NAMES.get(code, ()), former.name)
        if code in names:  # an ISO 3166-3 alpha-3 that ISO 3166-1 uses today: the same territory
            labels = (former.alpha_4, *labels)
        else:
            names[code] = labels[0]
            labels = (code, former.alpha_4, *labels)
        for label in labels:
            codes.setdefault(_normal(label), code)  # a current state's name is never taken
    for code, labels in EXTRA_ENTITIES.items():
        names[code] = labels[0]
        for label in labels:
            codes[_normal(label)] = code
    for alias, code in ALIASES.items():
        codes[_normal(alias)] = code
    return codes, names


@cache
def resolve_party(name: str) -> str:
    """Return the stored code (ISO alpha-3, ISO 3166-3 alpha-3 for a former state, or EU / XKX)."""
    codes, names = _index()
    for key in _keys(name):
        if key in codes:
            return codes[key]
    key = _normal(name)
    suggestions = difflib.get_close_matches(key, list(codes), n=12, cutoff=0.6)
    found: list[str] = []
    for suggestion in suggestions:
        label = f"{names[codes[suggestion]]} ({codes[suggestion]})"
        if label not in found:
            found.append(label)
    raise UnknownPartyError(name, found[:3])


@cache
def territories() -> frozenset[str]:
    """The ISO 3166-1 alpha-3 codes: the states and territories a treaty can be applied to."""
    return frozenset(country.alpha_3 for country in pycountry.countries)


def resolve_territory(name: str) -> str:
    """Return the ISO 3166-1 alpha-3 code of a territory (FLK, GIB, GRL, BES ...) named by code or name."""
    code = resolve_party(name)
    if code not in territories():
        raise ValueError(
            f"{name!r} is {party_name(code)} ({code}), which ISO 3166-1 does not list as a territory"
        )
    return code


def party_name(code: str) -> str:
    """Return the English display name of a stored party code (the code itself if unknown)."""
    return _index()[1].get(code, code)
