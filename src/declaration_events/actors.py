"""Who holds or judges a person besides states: the `actor:` namespace and designating bodies.

A captor is a party (a state or organisation, see `parties`) or a non-state actor (an
armed group, a de facto authority) written `actor:SLUG`; an actor is declared once by an
`ActorRegistered` fact, which gives its name and, optionally, its Wikidata id. A
designation is made by a party, by a body of `BODIES` (e.g. `un-wgad`, the UN Working
Group on Arbitrary Detention) or by a registered actor.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from .errors import UnknownPartyError
from .parties import party_name, resolve_party

__all__ = [
    "ACTOR_PREFIX",
    "BODIES",
    "actor_slug",
    "display_name",
    "is_actor",
    "resolve_captor",
    "resolve_designator",
]

#: How a non-state actor is written where a party may stand: `actor:` and its slug.
ACTOR_PREFIX = "actor:"
SLUG_PATTERN = r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)

#: Bodies that issue designations, by slug: international bodies that are not parties.
BODIES: Mapping[str, str] = {
    "un-wgad": "UN Working Group on Arbitrary Detention",
    "un-hrc": "UN Human Rights Committee",
    "un-cat": "UN Committee against Torture",
    "ecthr": "European Court of Human Rights",
    "iachr": "Inter-American Commission on Human Rights",
    "achpr": "African Commission on Human and Peoples' Rights",
}


def is_actor(code: str) -> bool:
    """Whether a stored code names a non-state actor (`actor:SLUG`)."""
    return code.startswith(ACTOR_PREFIX)


def actor_slug(code: str) -> str:
    """The slug of `actor:SLUG`, or of a bare slug; a clear ValueError if it is not one."""
    slug = code.removeprefix(ACTOR_PREFIX)
    if not _SLUG.match(slug) or len(slug) > 200:
        raise ValueError(
            f"{code!r} is not an actor: write actor:SLUG, the slug in lower case letters, digits "
            "and single - _ . between them (e.g. actor:haqqani-network)"
        )
    return slug


@lru_cache(maxsize=1 << 12)  # every detention names one: a load validates millions
def resolve_captor(name: str) -> str:
    """The stored code of a captor: a party's code, or `actor:SLUG` for a non-state actor."""
    if is_actor(name.strip()):
        return ACTOR_PREFIX + actor_slug(name.strip())
    return resolve_party(name)


def resolve_designator(name: str) -> str:
    """The stored code of who made a designation: a body of `BODIES`, `actor:SLUG`, or a party's code."""
    text = name.strip()
    if text in BODIES:
        return text
    if is_actor(text):
        return ACTOR_PREFIX + actor_slug(text)
    try:
        return resolve_party(text)
    except UnknownPartyError as exc:
        raise ValueError(
            f"{name!r} is neither a party, nor a body ({', '.join(BODIES)}), nor an actor (actor:SLUG)"
            + (f"; did you mean {', '.join(exc.suggestions)}?" if exc.suggestions else "")
        ) from None


def display_name(code: str, actors: Mapping[str, str] | None = None) -> str:
    """A code's display name: a party's English name, a body's name, or a registered actor's name."""
    if code in BODIES:
        return BODIES[code]
    if is_actor(code):
        return (actors or {}).get(code, code)
    return party_name(code)
