"""Pseudonymise detained people's names in event logs before sharing them.

A redacted log is still log format v1, still passes the rules, and answers every
status and case question as the original does, but with each detained person known only
by a pseudonym: `person-` and the first 16 hex digits of HMAC-SHA256(key, name). The same
key gives the same pseudonym for the same name (compared after NFKC normalisation and case
folding, so "Strauß" is "strauss", with spaces collapsed; accents count), in every file and
every release made with that key, so cases stay linkable; without the key a pseudonym
cannot be turned back into a name, nor a guessed name confirmed.

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
- a source URL that names a known person or case after its host (path, query, fragment,
  user): cut to its scheme and host; one whose host names them: `[name]`;
- every event id: replaced by a UUID keyed the same way, and the targets of corrections
  and retractions, and the reservations that withdrawals and objections cite, with it. Ids
  derived from content would otherwise let anyone confirm a guessed name by recomputing the
  id, and original ids would link the release back to the unredacted log.

How a name is found: text and name are both compared in a folded form (NFKC, case folded,
the accents of Latin, Greek, Cyrillic, Hebrew and Arabic letters dropped, ø ł đ æ œ ı þ
as o l d ae oe i th, invisible format characters such as soft hyphens and zero-width
spaces ignored), after percent-decoding (UTF-8, also encoded twice; `+` counts as a
space; `xn--` host labels are decoded too). So "Strauß" is found for "Strauss", "Zoe
Muller" and "zo%C3%AB-m%C3%BCller" for "Zoë Müller", a decomposed (NFD) name for a
composed one. Between the parts of a name may stand spaces, `_`, `-`, `.`, `+`,
apostrophes, middle dots, or nothing ("MichaelKovrig"). In Latin and other scripts that
separate words, a name or name word must stand as a word: no letter may touch it, except
across a change from lower to upper case ("#FreeKovrig", "KovrigFamily"); ordinary words
that merely contain one ("Italian" for "Li An", "annual" for "Ann") are kept. A name of
two or more parts and 8 letters or more is found even glued to other letters
("#freemichaelkovrig"). In scripts written without spaces (Chinese, Japanese, Thai, Lao,
Khmer, Myanmar, Tibetan) and in Korean, whose particles attach to names, a name is found
wherever it stands ("李明被拘留"). Only the matched characters are replaced: the rest of
the text, and any text or URL that names nobody, is kept byte for byte; the output
depends only on the key, the names and the input, never on the order names are known in.

Known names are those of every `Detained` fact, `Charged` naming the person, and
correction in the logs, plus any given (`names=`, `--name`), e.g. relatives named in
notes. Officials quoted as speakers and all parties (states) are kept. Limits: spellings
other than the one recorded (other transliterations such as "Mueller" for "Müller",
nicknames, initials, names in reversed order when their parts are shorter than 3 letters,
look-alike letters of other scripts) are not recognised; a single name word glued to letters of the same case
("kovrigfamily") is not either; dates, nationalities and the detaining state still
describe each case and may identify a well-known one. Two names that differ only in
accents ("Zoë Müller", "Zoe Muller") keep two pseudonyms but cannot be told apart in
text: there they become `[name]`.
Pseudonymisation is not anonymisation: whoever holds the key can re-link, so keep it
secret, and use a new key for releases that must not be linkable to each other.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import itertools
import os
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from uuid import UUID

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
#: A name of two or more parts with at least this many letters is also found glued inside other
#: letters ("#freemichaelkovrig"); shorter ones ("Li An") only as words, so "Italian" stays.
MIN_GLUED = 8
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

#: Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar,
#: Tibetan) and Korean, whose particles attach to names: a name in them is found anywhere.
_UNSEGMENTED = (
    (0x0E00, 0x0FFF),
    (0x1000, 0x109F),
    (0x1100, 0x11FF),
    (0x1780, 0x17FF),
    (0x2E80, 0x2FDF),
    (0x3005, 0x3007),
    (0x3021, 0x3029),
    (0x3040, 0x30FF),
    (0x3100, 0x318F),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
#: Marks, in the matched view of a text, a change from lower to upper case ("MichaelKovrig") and
#: one between a script that separates words and one that does not ("Kovrig被拘留").
_CAMEL = "\x00"
#: A letter: a name word in a script that separates words must not touch one on either side.
_LETTER = "[^\\W\\d_]"
#: What may stand between the parts of a name: spaces, `_`, `-`, `.`, `+`, apostrophes, middle
#: dots, dashes, a case change, or nothing.
_SEPARATOR = "[\\s_\\-.+'\u2019\u00b7\u30fb\u2010-\u2015\\x00]*"
_SEPARATORS = re.compile(_SEPARATOR)
#: Letters with no decomposition that texts write without their stroke or as two letters.
_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ł": "l", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th"}
    | {_CAMEL: " "}
)
#: One percent-encoded byte, also encoded twice or more (`%25C3` for `%C3`).
_ENCODED_BYTE = re.compile(r"%(?:25)*([0-9A-Fa-f]{2})")
_ASCII_CAMEL = re.compile(r"[a-z][A-Z]")


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


def _unsegmented(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _UNSEGMENTED)


def _script_change(before: str, after: str) -> bool:
    """Whether a letter of a script that separates words meets a character of one that does not."""
    return before.isalpha() and after.isalpha() and _unsegmented(before) != _unsegmented(after)


@functools.lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    """Text as matched: compatibility forms unified (NFKC), case folded, the accents of alphabetic
    scripts (Latin, Greek, Cyrillic, Hebrew, Arabic) dropped, invisible format characters dropped,
    and ø, ł, ı, æ... written as the letters a text without them would use."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    base = 0
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Cf" or 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF:
            continue
        if category == "Mn":
            if base < 0x0800:
                continue
        else:
            base = ord(char)
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept).translate(_LETTERS))


def _parts(folded: str) -> tuple[str, ...]:
    """The parts of a folded name: its runs of letters, digits and marks in one kind of script."""
    parts: list[str] = []
    run: list[str] = []
    for char in folded:
        if run and _script_change(run[-1], char):
            parts.append("".join(run))
            run = []
        if char.isalnum() or unicodedata.category(char).startswith("M"):
            run.append(char)
        elif run:
            parts.append("".join(run))
            run = []
    if run:
        parts.append("".join(run))
    return tuple(parts)


def _joins_previous(char: str) -> bool:
    """Whether `char` belongs to the character before it (a mark, an invisible format character,
    a Korean vowel or final consonant written apart)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")
        or 0x1160 <= code <= 0x11FF
        or (0xD7B0 <= code <= 0xD7FF)
    )


def _decoded_char(text: str, at: int) -> tuple[str, int] | None:
    """The character percent-encoded (in UTF-8) at `at`, and where its encoding ends."""
    match = _ENCODED_BYTE.match(text, at)
    if match is None:
        return None
    lead = int(match.group(1), 16)
    size = 1 if lead < 0x80 else 2 if 0xC2 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4
    if 0x80 <= lead < 0xC2 or lead >= 0xF5:
        return None
    data = [lead]
    end = match.end()
    for _ in range(size - 1):
        match = _ENCODED_BYTE.match(text, end)
        if match is None:
            return None
        data.append(int(match.group(1), 16))
        end = match.end()
    try:
        return bytes(data).decode("utf-8"), end
    except UnicodeDecodeError:
        return None


def _segments(text: str) -> list[tuple[str, int, int]]:
    """The characters of a text, percent-encoded ones decoded, each with the marks and invisible
    characters that follow it, and the span of the text it takes."""
    segments: list[tuple[str, int, int]] = []
    at = 0
    while at < len(text):
        decoded = _decoded_char(text, at) if text[at] == "%" else None
        char, end = decoded or (text[at], at + 1)
        if segments and _joins_previous(char):
            chars, start, _ = segments[-1]
            segments[-1] = (chars + char, start, end)
        else:
            segments.append((char, at, end))
        at = end
    return segments


@dataclass(frozen=True)
class _View:
    """A text as names are matched in it: each character (with its marks) folded, a change of
    script marked, and with `camel` a change from lower to upper case too; `starts` and `ends`
    give, for each character of `folded`, the span of the original text it comes from."""

    folded: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, segments: list[tuple[str, int, int]], *, camel: bool) -> _View:
        folded: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        previous = ""
        for chars, start, end in segments:
            as_matched = _fold(chars)
            if (camel and previous.islower() and chars[0].isupper()) or (
                folded and as_matched and _script_change(folded[-1], as_matched[0])
            ):
                folded.append(_CAMEL)
                starts.append(start)
                ends.append(start)
            for char in as_matched:
                folded.append(char)
                starts.append(start)
                ends.append(end)
            previous = chars[0]
        return cls("".join(folded), starts, ends)


def _views(text: str) -> list[_View]:
    """The views a name is looked for in: the text, and if it changes from lower to upper case
    within a word, the text with those changes marked as word ends ("#FreeKovrig"). Both are
    needed: a name can have such a change inside ("McDonald")."""
    if text.isascii() and "%" not in text:
        plain = _View(text.lower().translate(_LETTERS), list(range(len(text))), list(range(1, len(text) + 1)))
        if not _ASCII_CAMEL.search(text):
            return [plain]
        segments = [(char, at, at + 1) for at, char in enumerate(text)]
        return [plain, _View.of(segments, camel=True)]
    segments = _segments(text)
    views = [_View.of(segments, camel=False)]
    if any(a[0].islower() and b[0].isupper() for a, b in itertools.pairwise(segments)):
        views.append(_View.of(segments, camel=True))
    return views


def _atoms(parts: tuple[str, ...]) -> tuple[str, ...]:
    """The pattern of a name (or word, or slug) as written in a folded text, in pieces: each letter,
    separators between parts, and the conditions at either end. The condition before is checked
    after the first letter (`(?<!L.)`: no letter before it), so that every pattern starts with a
    letter and patterns can share their beginnings."""
    glued = len(parts) > 1 and sum(map(len, parts)) >= MIN_GLUED
    atoms: list[str] = []
    for number, part in enumerate(parts):
        if number:
            atoms.append(_SEPARATOR)
        for place, char in enumerate(part):
            atoms.append(re.escape(char))
            if not (number or place or glued or _unsegmented(char)):
                atoms.append(f"(?<!{_LETTER}.)")
    atoms.append("" if glued or _unsegmented(parts[-1][-1]) else f"(?!{_LETTER})")
    return tuple(atoms)


_Trie = dict[str, "_Trie"]
#: Marks where a pattern ends in a trie (never a piece: a newline is escaped in a pattern).
_END = "\n"
#: Deepest nesting of groups in a trie pattern; below it the trie is written out flat (the
#: regular expression compiler recurses once per nested group).
_MAX_NESTING = 40


def _paths(node: _Trie) -> list[str]:
    """Every pattern below `node`, written out, the one of the most pieces first."""
    found: list[tuple[int, str]] = []
    stack: list[tuple[_Trie, tuple[str, ...]]] = [(node, ())]
    while stack:
        here, pieces = stack.pop()
        for atom, child in here.items():
            if atom == _END:
                found.append((-len(pieces), "".join(pieces)))
            else:
                stack.append((child, (*pieces, atom)))
    return [pattern for _, pattern in sorted(found)]


def _trie_pattern(alternatives: Iterable[tuple[str, ...]]) -> str:
    """One pattern for many: a trie of their pieces, so that a text is not tried against each
    pattern in turn; where patterns part, the branch that can match more pieces is tried first."""
    root: _Trie = {}
    for atoms in alternatives:
        node = root
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[_END] = {}
    if not root:
        return "(?!x)x"
    # (pattern, most pieces, nesting) of each node where patterns part or end; a node with one
    # child is only walked through, so a long name is not copied once per letter.
    parted: dict[int, tuple[str, int, int]] = {}

    def chain(node: _Trie) -> tuple[str, int, int]:
        pieces: list[str] = []
        while len(node) == 1 and _END not in node:
            [(atom, node)] = node.items()
            pieces.append(atom)
        pattern, most, nesting = parted[id(node)]
        return "".join(pieces) + pattern, len(pieces) + most, nesting

    stack: list[tuple[_Trie, bool]] = [(root, False)]
    while stack:  # children before their parent, without recursion (names can be long)
        node, ready = stack.pop()
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for atom, child in node.items() if atom != _END)
            continue
        if len(node) == 1 and _END not in node:
            continue
        branches = sorted(
            ("", 0, 0) if atom == _END else (atom + pattern, most + 1, nesting)
            for atom, (pattern, most, nesting) in (
                (atom, ("", 0, 0) if atom == _END else chain(child)) for atom, child in node.items()
            )
        )
        branches.sort(key=lambda branch: -branch[1])  # stable: ties stay in the order of their text
        if len(branches) == 1:
            parted[id(node)] = branches[0]
        elif (nesting := 1 + max(branch[2] for branch in branches)) <= _MAX_NESTING:
            group = "(?:" + "|".join(branch[0] for branch in branches) + ")"
            parted[id(node)] = (group, branches[0][1], nesting)
        else:
            parted[id(node)] = ("(?:" + "|".join(_paths(node)) + ")", branches[0][1], 1)
    return chain(root)[0]


def _squashed(found: str) -> str:
    return _SEPARATORS.sub("", found)


def _idna_decoded(host: str) -> str:
    """A host name with its internationalised labels (`xn--...`) decoded."""
    labels = []
    for label in host.split("."):
        decoded = label
        if label[:4].lower() == "xn--":
            with contextlib.suppress(UnicodeError):
                decoded = label.encode("ascii").decode("idna")
        labels.append(decoded)
    return ".".join(labels)


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
        self._full: dict[str, str] = {}  # folded name, parts joined -> pseudonym, or AMBIGUOUS
        self._words: dict[str, str] = {}  # folded name word -> pseudonym, or AMBIGUOUS
        self._spelled: set[tuple[str, ...]] = set()  # the parts of each name, and each word alone
        self._slugs: set[tuple[str, ...]] = set()  # the parts of each case slug
        self._patterns: dict[bool, re.Pattern[str]] = {}  # with slugs? -> pattern
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
        parts = _parts(_fold(key))
        if not parts:
            return
        full = "".join(parts)
        self._full[full] = alias if self._full.get(full, alias) == alias else AMBIGUOUS
        self._spelled.add(parts)
        for word in parts:
            if len(word) >= MIN_WORD:
                self._words[word] = alias if self._words.get(word, alias) == alias else AMBIGUOUS
                self._spelled.add((word,))
        self._patterns.clear()

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
                    parts = _parts(_fold(value))
                    if parts and parts not in self._slugs:
                        self._slugs.add(parts)
                        self._patterns.pop(True, None)

    def _regex(self, *, slugs: bool = False) -> re.Pattern[str]:
        """One pattern for every name and word (and slug): the longest that fits is matched."""
        if slugs not in self._patterns:
            spelled = self._spelled | self._slugs if slugs else self._spelled
            self._patterns[slugs] = re.compile(_trie_pattern(map(_atoms, spelled)))
        return self._patterns[slugs]

    def _alias(self, found: str) -> str:
        squashed = _squashed(found)
        return self._full.get(squashed) or self._words.get(squashed, AMBIGUOUS)

    def text(self, value: str) -> str:
        """The text with every known name, or word of one, replaced by its pseudonym, however it is
        written: in another case or Unicode form, without its accents, percent-encoded, with `_`,
        `-`, `.` or nothing between its parts, or inside text in a script without spaces."""
        if not self._names:
            return value
        found = sorted(  # (start, -end, alias) of each name in the text, in any view of it
            (view.starts[match.start()], -view.ends[match.end() - 1], self._alias(match.group(0)))
            for view in _views(value)
            for match in self._regex().finditer(view.folded)
        )
        pieces: list[str] = []
        done = 0
        for start, negative_end, alias in found:
            if -negative_end > done:  # not inside a name already replaced
                pieces += [value[done:start], alias] if start >= done else [alias]
                done = -negative_end
        return "".join([*pieces, value[done:]])

    def _names_someone(self, value: str) -> bool:
        """Whether the text holds a known name, a word of one or a case slug (decoded as in `text`)."""
        return bool(self._names or self._slugs) and any(
            self._regex(slugs=True).search(view.folded) for view in _views(value)
        )

    def slug(self, value: str) -> str:
        """The pseudonym of a case slug."""
        return f"case-{_digest(self._key, 'case', value).hex()[:DIGITS]}"

    def event_id(self, value: uuid.UUID | str) -> str:
        """The keyed replacement of an event id."""
        return str(uuid.UUID(bytes=_digest(self._key, "id", str(value))[:16], version=4))

    def url(self, value: str) -> str:
        """The URL, or only its scheme and host if it names a known person or case anywhere after
        the host (path, query, fragment, user; percent-encoded or not); `[name]` if its host names
        one, or if it is no URL and names one."""
        try:
            parts = urlsplit(value)
        except ValueError:  # e.g. an unclosed IPv6 bracket: no URL
            return AMBIGUOUS if self._names_someone(value) else value
        host = parts.netloc.rpartition("@")[2]
        if self._names_someone(_idna_decoded(host)):
            return AMBIGUOUS
        if not self._names_someone(value):
            return value
        return f"{parts.scheme}://{host}/" if parts.scheme and host else AMBIGUOUS

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
        reservation = getattr(event, "reservation", None)  # a withdrawal's or objection's `Reserved`
        if isinstance(reservation, UUID):
            data["reservation"] = self.event_id(reservation)
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
