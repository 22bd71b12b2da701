"""Party codes: resolve what a log calls a state or organisation to one stored code."""

from __future__ import annotations

import difflib
import re
from functools import cache

import pycountry

from .errors import UnknownPartyError

__all__ = ["party_name", "resolve_party"]

# Entities diplomacy needs that ISO 3166-1 does not list, with their stored code.
EXTRA_ENTITIES: dict[str, tuple[str, ...]] = {
    "EU": ("European Union", "EU", "EUR"),
    "XKX": ("Kosovo", "XK", "XKX", "Republic of Kosovo"),
}

# Short forms common in news copy that pycountry's names do not cover.
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
}

_PUNCTUATION = re.compile(r"[.\u2019'`,()]")
_SPACE = re.compile(r"\s+")


def _normal(name: str) -> str:
    folded = _PUNCTUATION.sub("", name.casefold().replace("&", " and "))
    folded = _SPACE.sub(" ", folded).strip()
    return folded.removeprefix("the ")


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
    for code, labels in EXTRA_ENTITIES.items():
        names[code] = labels[0]
        for label in labels:
            codes[_normal(label)] = code
    for alias, code in ALIASES.items():
        codes[_normal(alias)] = code
    return codes, names


@cache
def resolve_party(name: str) -> str:
    """Return the stored code (ISO alpha-3, or EU / XKX) for a party's code or English name."""
    codes, names = _index()
    key = _normal(name)
    if key in codes:
        return codes[key]
    suggestions = difflib.get_close_matches(key, list(codes), n=12, cutoff=0.6)
    found: list[str] = []
    for suggestion in suggestions:
        label = f"{names[codes[suggestion]]} ({codes[suggestion]})"
        if label not in found:
            found.append(label)
    raise UnknownPartyError(name, found[:3])


def party_name(code: str) -> str:
    """Return the English display name of a stored party code (the code itself if unknown)."""
    return _index()[1].get(code, code)
