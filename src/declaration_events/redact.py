"""Pseudonymise detained people's names in event logs before sharing them.

A redacted log is still log format v1, still passes the rules, and answers every
status and case question as the original does, but with each detained person known only
by a pseudonym: `person-` and the first 16 hex digits of HMAC-SHA256(key, name). The same
key gives the same pseudonym for the same name (compared ignoring case, accents of
compatibility forms and extra spaces), in every file and every release made with that key,
so cases stay linkable; without the key a pseudonym cannot be turned back into a name, nor
a guessed name confirmed.

What is rewritten, in every event:

- `person` of `Detained` and of a `Charged` that names the person (and of a correction's
  `changes`): the pseudonym;
- every case slug (`case`, `other_case`, a statement's `case`), since slugs are usually
  names: `case-` and 16 hex digits of HMAC-SHA256(key, slug);
- each known name, written out in full or by any one of its words of 3 letters or more,
  wherever it appears in text (`note`, `subject`, `quote`, `speaker`, `location`,
  `charges`, `sentence`, `relation`, `reason`, `basis`, `conditions`, `cause`, `reference`,
  source titles and publishers, and text in a correction's `changes`): the person's
  pseudonym (`[name]` for a word two people share);
- a source URL that contains a known name word or case slug: cut to its scheme and host;
- every event id: replaced by a UUID keyed the same way, and the targets of corrections
  and retractions with it. Ids derived from content would otherwise let anyone confirm a
  guessed name by recomputing the id, and original ids would link the release back to the
  unredacted log.

Known names are those of every `Detained` fact, `Charged` naming the person, and
correction in the logs, plus any given (`names=`, `--name`), e.g. relatives named in
notes. Officials quoted as speakers and all parties (states) are kept. Limits: spellings
other than the one recorded (other transliterations, nicknames, initials) are not
recognised; dates, nationalities and the detaining state still describe each case and may
identify a well-known one.
Pseudonymisation is not anonymisation: whoever holds the key can re-link, so keep it
secret, and use a new key for releases that must not be linkable to each other.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from .errors import RedactionError
from .eventlog import LogSource, iter_events, write_events
from .events import Charged, Corrected, Detained, Event, EventBase, Retracted, parse_event

__all__ = ["RedactionError", "RedactionResult", "Redactor", "pseudonym", "redact_events", "redact_log"]

#: Shortest key accepted, in bytes: a key is a secret, not a password to remember.
MIN_KEY_BYTES = 16
#: Hex digits of the HMAC kept in a pseudonym (64 bits: no collisions among any real set of names).
DIGITS = 16
#: Name words shorter than this are matched only as part of the full name (initials, "Li", "An").
MIN_WORD = 3
#: Fields of free text, at the top level of an event or in a correction's `changes`.
TEXT_FIELDS = (
    "note",
    "subject",
    "quote",
    "speaker",
    "location",
    "sentence",
    "relation",
    "reason",
    "title",
    "basis",
    "conditions",
    "cause",
    "reference",
)
SLUG_FIELDS = ("case", "other_case")
AMBIGUOUS = "[name]"


def _key_bytes(key: str | bytes) -> bytes:
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < MIN_KEY_BYTES:
        raise RedactionError(
            f"the redaction key must be at least {MIN_KEY_BYTES} bytes; "
            "make one with `declaration-events keygen`"
        )
    return raw


def normal(name: str) -> str:
    """A name as compared: compatibility forms unified, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _digest(key: bytes, kind: str, value: str) -> bytes:
    return hmac.new(key, f"{kind}\x00{value}".encode(), hashlib.sha256).digest()


def pseudonym(value: str, key: str | bytes, *, kind: str = "person") -> str:
    """The keyed pseudonym of a name (`kind="person"`) or a case slug (`kind="case"`)."""
    text = normal(value) if kind == "person" else value
    return f"{kind}-{_digest(_key_bytes(key), kind, text).hex()[:DIGITS]}"


@dataclass(frozen=True)
class RedactionResult:
    """What `redact_log` wrote."""

    events: int
    names: int


class Redactor:
    """Rewrites events with one key and one set of known names (see the module's documentation)."""

    def __init__(self, key: str | bytes, names: Iterable[str] = ()) -> None:
        self._key = _key_bytes(key)
        self._names: dict[str, str] = {}  # normal name -> pseudonym
        self._words: dict[str, str] = {}  # normal name word -> pseudonym, or AMBIGUOUS
        self._slugs: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for name in names:
            self.add_name(name)

    @property
    def names(self) -> int:
        """How many distinct names are known."""
        return len(self._names)

    def add_name(self, name: str) -> None:
        """Pseudonymise this name (and its words) wherever it appears."""
        key = normal(name)
        if not key or key in self._names:
            return
        alias = pseudonym(key, self._key)
        self._names[key] = alias
        for word in re.findall(r"\w+", key):
            if len(word) >= MIN_WORD:
                self._words[word] = alias if self._words.get(word, alias) == alias else AMBIGUOUS
        self._pattern = None

    def learn(self, events: Iterable[EventBase]) -> None:
        """Collect the names of detained people and the case slugs from the events."""
        for event in events:
            if isinstance(event, Detained | Charged) and event.person is not None:
                self.add_name(event.person)
            elif isinstance(event, Corrected) and isinstance(event.changes.get("person"), str):
                self.add_name(str(event.changes["person"]))
            for field in SLUG_FIELDS:
                value = getattr(event, field, None)
                if isinstance(value, str) and len(value) >= MIN_WORD:
                    self._slugs.add(value)

    def _regex(self) -> re.Pattern[str]:
        if self._pattern is None:
            spelled = sorted({*self._names, *self._words}, key=len, reverse=True)
            alternatives = [r"\s+".join(map(re.escape, name.split())) for name in spelled]
            self._pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(alternatives or [r"(?!x)x"]) + r")(?!\w)", re.IGNORECASE
            )
        return self._pattern

    def text(self, value: str) -> str:
        """The text with every known name, or word of one, replaced by its pseudonym."""
        if not self._names:
            return value

        def alias(match: re.Match[str]) -> str:
            found = normal(match.group(0))
            return self._names.get(found) or self._words.get(found, AMBIGUOUS)

        return self._regex().sub(alias, value)

    def slug(self, value: str) -> str:
        """The pseudonym of a case slug."""
        return f"case-{_digest(self._key, 'case', value).hex()[:DIGITS]}"

    def event_id(self, value: uuid.UUID | str) -> str:
        """The keyed replacement of an event id."""
        return str(uuid.UUID(bytes=_digest(self._key, "id", str(value))[:16], version=4))

    def url(self, value: str) -> str:
        """The URL, or only its scheme and host if its path or query names a known person or case."""
        plain = normal(value.replace("%20", " ")).replace("_", "-")
        named = set(re.split(r"[^\w]+", plain)) & set(self._words) or any(
            re.search(rf"(?<![\w]){re.escape(slug)}(?![\w])", plain) for slug in self._slugs
        )
        if not named:
            return value
        parts = urlsplit(value)
        return f"{parts.scheme}://{parts.netloc}/" if parts.scheme and parts.netloc else AMBIGUOUS

    def _value(self, field: str, value: Any) -> Any:
        if value is None:
            return None
        if field == "person" and isinstance(value, str):
            return pseudonym(value, self._key)
        if field in SLUG_FIELDS and isinstance(value, str):
            return self.slug(value)
        if field == "url" and isinstance(value, str):
            return self.url(value)
        if field in (*TEXT_FIELDS, "publisher") and isinstance(value, str):
            return self.text(value)
        if field == "charges" and isinstance(value, list | tuple):
            return [self.text(item) if isinstance(item, str) else item for item in value]
        if field == "sources" and isinstance(value, list | tuple):
            return [self._mapping(source) if isinstance(source, Mapping) else source for source in value]
        return value

    def _mapping(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return {field: self._value(field, value) for field, value in data.items()}

    def redact(self, event: EventBase) -> Event:
        """One event, rewritten; its id (and target) keyed."""
        data = self._mapping(event.model_dump(mode="json", exclude_none=True))
        if isinstance(event, Corrected):
            data["changes"] = self._mapping(event.changes)
        if isinstance(event, Corrected | Retracted):  # `target` of a statement is a party
            data["target"] = self.event_id(event.target)
        data["id"] = self.event_id(event.id)
        return parse_event(data)


def redact_events(events: Iterable[EventBase], key: str | bytes, *, names: Iterable[str] = ()) -> list[Event]:
    """The events with detained people's names pseudonymised (see the module's documentation)."""
    held = list(events)
    redactor = Redactor(key, names)
    redactor.learn(held)
    return [redactor.redact(event) for event in held]


def _iter_redacted(redactor: Redactor, events: Sequence[EventBase]) -> Iterator[Event]:
    for event in events:
        yield redactor.redact(event)


def redact_log(
    sources: Sequence[LogSource],
    destination: str | os.PathLike[str] | IO[str],
    key: str | bytes,
    *,
    names: Iterable[str] = (),
) -> RedactionResult:
    """Read logs whole (all must be well formed), write them redacted as one log; a file is
    replaced only once it is written completely."""
    redactor = Redactor(key, names)
    events: list[Event] = []
    for source in sources:
        events.extend(iter_events(source))
    redactor.learn(events)
    if not isinstance(destination, str | os.PathLike):
        count = write_events(_iter_redacted(redactor, events), destination)
        return RedactionResult(count, redactor.names)
    out = Path(destination)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        count = write_events(_iter_redacted(redactor, events), partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    return RedactionResult(count, redactor.names)
