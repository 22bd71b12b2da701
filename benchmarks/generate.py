"""A deterministic generator of synthetic, legal event logs in format v1.

`generate(path, events=N, seed=S)` streams exactly N lines to `path` and returns
what it wrote (counts, slugs, line lengths). The same N, seed and prefix give the
same file, byte for byte (with the same pycountry, which names the parties).

What the log holds, by design legal under the library's rules as one batch:

- about 200 parties (ISO alpha-3 codes that `resolve_party` maps to themselves);
- 50 instruments, 20 declarations and 30 treaties, each opened once, treaties
  entering into force once; ~12% of the events are participations (signing,
  endorsing, ratifying, withdrawing, joining again), every party's path legal;
- min(N / 10, 100,000) detention cases, ~75% of the events: detentions,
  charges, sentences, bail, re-detention, releases, links to earlier cases,
  about 3% first detentions dated only to the month (`YYYY-MM`);
- ~12% condemnations (the `statements` stream), 5% of them dated to the month;
- ~1% amendments: corrections (of fields that cannot break a path) and
  retractions (of condemnations, links, charges and sentences); their targets
  carry an explicit `id`, every other line lets the library derive its id;
- ~5% of facts recorded late (2 months to 8 years after they happened), so the
  file, which is in record-time order, is out of valid-time order;
- record times in the past (up to 2026-11-27) and never before the fact; lines of
  150-250 bytes (a source is added or padded to reach a random length).

Links point at cases with a lower number, so the cases can be imported in
order in separate batches; `prefix` prepends to every slug, so independent logs
(for concurrent writers) do not share entities other than `statements`.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["GeneratedLog", "generate", "parties"]

DEFAULT_SEED = 20261128
N_PARTIES = 200
N_DECLARATIONS = 20
N_TREATIES = 30
MAX_CASES = 100_000
LATE_SHARE = 0.05
AMENDMENT_SHARE = 0.01
INSTRUMENT_SHARE = 0.12
STATEMENT_SHARE = 0.12
MIN_LINE, MAX_LINE = 150, 250

FIRST_DAY = date(1950, 1, 1).toordinal()
LAST_FACT_DAY = date(2026, 10, 31).toordinal()
LAST_RECORD_DAY = date(2026, 11, 27).toordinal()

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_dumps = _JSON.encode

TOPICS = [
    "arms-trade",
    "mine-ban",
    "cluster-munitions",
    "hostage-taking",
    "consular-relations",
    "torture",
    "enforced-disappearance",
    "refugees",
    "ozone",
    "climate",
    "biodiversity",
    "migratory-species",
    "whaling",
    "law-of-the-sea",
    "outer-space",
    "nuclear-tests",
    "chemical-weapons",
    "biological-weapons",
    "child-soldiers",
    "press-freedom",
    "arbitrary-detention",
    "cyber-norms",
    "maritime-safety",
    "civil-aviation",
    "corruption",
]
FIRST_NAMES = [
    "Ana", "Ben", "Chen", "Dara", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kofi", "Lena",
    "Mateo", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sami", "Tomas", "Uma", "Viktor", "Wen", "Yara",
]  # fmt: skip
LAST_NAMES = [
    "Abara", "Brandt", "Costa", "Dumont", "Eriksen", "Farah", "Garcia", "Haddad", "Ivanova", "Jensen",
    "Kowalski", "Li", "Moreau", "Novak", "Okafor", "Petrov", "Rahman", "Silva", "Tanaka", "Usman",
    "Varga", "Weber", "Yilmaz", "Zhou",
]  # fmt: skip
CITIES = [
    "Beijing", "Tehran", "Moscow", "Caracas", "Minsk", "Pyongyang", "Cairo", "Riyadh", "Ankara", "Hanoi",
    "Yangon", "Doha", "Havana", "Managua", "Tashkent", "Asmara", "Baku", "Kabul", "Dhaka", "Lagos",
]  # fmt: skip
CHARGES = [
    "espionage", "fraud", "smuggling", "subversion", "stealing state secrets", "tax evasion",
    "illegal entry", "drug trafficking", "endangering national security", "bribery",
]  # fmt: skip
SUBJECTS = [
    "arbitrary detention of foreign nationals",
    "hostage diplomacy",
    "the detention of its nationals",
    "the violation of consular access",
    "coercive use of the courts",
    "the withdrawal from the treaty",
    "the sentencing of a foreign national",
    "interference in internal affairs",
    "the expulsion of diplomats",
    "unfair trial of a foreign national",
]
RELATIONS = ["retaliation for", "same proceedings as", "exchanged with", "co-accused with", "related to"]
SPEAKERS = ["the foreign minister", "a government spokesperson", "the prime minister", "the ambassador"]
QUOTES = ["unacceptable", "a clear violation", "deeply concerning", "we will not be intimidated"]
PUBLISHERS = [
    "Reuters", "Associated Press", "Agence France-Presse", "BBC News", "Al Jazeera", "The Guardian",
    "Le Monde", "Der Spiegel", "NHK", "Xinhua", "UN News", "Treaty Registry", "Global Affairs",
]  # fmt: skip
DOMAINS = ["news.example.org", "wire.example.com", "treaties.example.int", "archive.example.net"]
MECHANISMS = ["acquittal", "deportation", "exchange", "pardon", "sentence_served", "agreement", "other"]
MODES = ["ratification", "acceptance", "approval", "accession", "succession"]
_DROPPABLE = ("quote", "speaker", "requested_by", "location")  # never change a path
_DROPPABLE_STATEMENT = (*_DROPPABLE, "target", "case", "instrument")  # references only
_MIN_SOURCE = 60  # bytes a source adds at least
_PAD = "the-report-on-the-matter-as-published-by-the-source-with-further-details-and-background-notes"


def parties(count: int = N_PARTIES) -> list[str]:
    """The first `count` ISO alpha-3 codes (sorted) that the library stores as themselves."""
    import pycountry

    from declaration_events.parties import resolve_party

    codes = sorted(country.alpha_3 for country in pycountry.countries)
    usable = [code for code in codes if resolve_party(code) == code]
    if len(usable) < count:
        raise RuntimeError(f"pycountry lists only {len(usable)} usable codes, fewer than {count}")
    return usable[:count]


@dataclass
class GeneratedLog:
    """What `generate` wrote."""

    path: Path
    events: int
    seed: int
    prefix: str
    instruments: list[str] = field(default_factory=list)
    declarations: list[str] = field(default_factory=list)
    cases: int = 0
    types: Counter[str] = field(default_factory=Counter)
    late: int = 0
    partial_dates: int = 0
    explicit_ids: int = 0
    min_line: int = 0
    max_line: int = 0
    mean_line: float = 0.0
    first_recorded: str = ""
    last_recorded: str = ""
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The figures as JSON-friendly values."""
        return {
            "path": str(self.path),
            "events": self.events,
            "seed": self.seed,
            "instruments": len(self.instruments),
            "cases": self.cases,
            "types": dict(sorted(self.types.items())),
            "late": self.late,
            "partial_dates": self.partial_dates,
            "explicit_ids": self.explicit_ids,
            "line_bytes": {"min": self.min_line, "max": self.max_line, "mean": round(self.mean_line, 1)},
            "recorded": [self.first_recorded, self.last_recorded],
            "seconds": round(self.seconds, 2),
        }


class _Writer:
    """Buckets lines by record year in temporary files, then writes them in record-time order."""

    def __init__(self, rng: random.Random, log: GeneratedLog, tmp: Path) -> None:
        self.rng = rng
        self.log = log
        self.tmp = tmp
        self.buckets: dict[int, Any] = {}
        self.count = 0
        self.total_bytes = 0
        self.min_line = 1 << 30
        self.max_line = 0

    def record_time(self, day: int, late: bool) -> tuple[int, str]:
        """A record time for a fact whose period ends on ordinal `day`: soon after, or late."""
        rng = self.rng
        lag = rng.randint(60, 2900) if late else rng.randint(0, 3)
        when = min(day + lag, LAST_RECORD_DAY)
        clock = rng.randrange(86_400) if when < LAST_RECORD_DAY else rng.randrange(43_200)
        hours, rest = divmod(clock, 3600)
        stamp = f"{date.fromordinal(when).isoformat()}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}+00:00"
        return when, stamp

    def emit(self, head: dict[str, Any], body: dict[str, Any], recorded: str, day: int) -> None:
        """Write one line: `head` (type, id?, occurred_on), recorded_at, `body`, then a source."""
        head["recorded_at"] = recorded
        head.update(body)
        text = _dumps(head)
        for optional in _DROPPABLE if head["type"] != "Condemned" else _DROPPABLE_STATEMENT:
            if len(text) < MAX_LINE - 1:
                break
            if head.pop(optional, None) is not None:
                text = _dumps(head)
        rng = self.rng
        want = rng.randint(MIN_LINE + 10, MAX_LINE - 10)
        if len(text) < want - _MIN_SOURCE or len(text) < MIN_LINE:
            # A source: an url always, a publisher and a publication date when there is room.
            dated = date.fromordinal(day)
            url = f"https://{rng.choice(DOMAINS)}/{dated.year}/{rng.getrandbits(32):08x}/"
            parts = ""
            publisher = f'"publisher":"{rng.choice(PUBLISHERS)}",'
            if len(text) + len(publisher) + len(url) + 22 <= want:
                parts += publisher
            month = rng.random() < 0.3
            published = f'"published_on":"{dated.isoformat()[:7] if month else dated.isoformat()}",'
            if len(text) + len(parts) + len(published) + len(url) + 22 <= want:
                parts += published
            fill = want - len(text) - len(parts) - len(url) - 22
            if fill > 0:
                cut = rng.randrange(len(_PAD) - min(fill, len(_PAD)) + 1)
                url += (_PAD[cut:] + _PAD)[:fill]
            text = f'{text[:-1]},"sources":[{{{parts}"url":"{url}"}}]}}'
        size = len(text) + 1  # ASCII only
        self.total_bytes += size
        self.min_line = min(self.min_line, size)
        self.max_line = max(self.max_line, size)
        year = int(recorded[:4])
        handle = self.buckets.get(year)
        if handle is None:
            handle = self.buckets[year] = (self.tmp / f"{year}.part").open("w", encoding="utf-8")
        handle.write(f"{recorded}\t{text}\n")
        self.count += 1
        self.log.types[head["type"]] += 1

    def finish(self, path: Path) -> None:
        """Sort each year's lines by record time and concatenate them into `path`."""
        for handle in self.buckets.values():
            handle.close()
        with path.open("w", encoding="utf-8", newline="\n") as out:
            for year in sorted(self.buckets):
                part = self.tmp / f"{year}.part"
                with part.open(encoding="utf-8") as handle:
                    lines = handle.readlines()
                lines.sort()
                out.writelines(line.split("\t", 1)[1] for line in lines)
                part.unlink()
        log = self.log
        log.min_line, log.max_line = self.min_line, self.max_line
        log.mean_line = self.total_bytes / max(self.count, 1)
        if self.buckets:
            with path.open(encoding="utf-8") as handle:
                first = json.loads(handle.readline())
            log.first_recorded = first["recorded_at"]


@dataclass
class _Fact:
    """A fact waiting to be written, kept when it may become an amendment's target."""

    type: str
    body: dict[str, Any]
    occurred: str
    day: int
    recorded_day: int
    recorded: str
    uid: str | None = None


class _Generator:
    def __init__(
        self,
        events: int,
        rng: random.Random,
        prefix: str,
        writer: _Writer,
        log: GeneratedLog,
        short_cases: bool = False,
    ) -> None:
        self.short_cases = short_cases
        self.rng = rng
        self.writer = writer
        self.log = log
        self.events = events
        self.prefix = prefix
        self.parties = parties()
        self.amendments_wanted = round(events * AMENDMENT_SHARE)
        self.amendments_made = 0
        self.written = 0
        self.last_recorded = ""

    # -- writing ---------------------------------------------------------------------------------

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def fact(self, kind: str, body: dict[str, Any], day: int, occurred: str | None = None) -> _Fact:
        """A fact dated `day` (or the partial date `occurred` whose period ends on `day`)."""
        late = self.rng.random() < LATE_SHARE
        if late:
            self.log.late += 1
        recorded_day, recorded = self.writer.record_time(day, late)
        text = occurred or date.fromordinal(day).isoformat()
        if len(text) < 10:
            self.log.partial_dates += 1
        return _Fact(kind, body, text, day, recorded_day, recorded)

    def write(self, fact: _Fact) -> None:
        head: dict[str, Any] = {"type": fact.type}
        if fact.uid:
            head["id"] = fact.uid
            self.log.explicit_ids += 1
        head["occurred_on"] = fact.occurred
        self.writer.emit(head, fact.body, fact.recorded, fact.day)
        self.written += 1
        self.last_recorded = max(self.last_recorded, fact.recorded)

    def amend(self, fact: _Fact) -> None:
        """Write `fact` with an explicit id and a correction or retraction of it, recorded later."""
        rng = self.rng
        fact.uid = self.new_id()
        self.write(fact)
        when = min(fact.recorded_day + rng.randint(1, 1200), LAST_RECORD_DAY)
        _, recorded = self.writer.record_time(when, late=False)
        if recorded <= fact.recorded:  # strictly later, so the file has the target first
            later = datetime.fromisoformat(fact.recorded) + timedelta(seconds=1)
            recorded = later.isoformat()
        change = self.correction(fact)
        retractable = fact.type in ("Condemned", "CasesLinked", "Charged", "Sentenced")
        if change is not None and (not retractable or rng.random() < 0.6):
            kind = "Corrected"
            body: dict[str, Any] = {"target": fact.uid, "changes": change, "reason": "a later report"}
        else:
            kind = "Retracted"
            body = {"target": fact.uid, "reason": "the report was wrong"}
        head: dict[str, Any] = {"type": kind, "occurred_on": recorded[:10]}
        self.writer.emit(head, body, recorded, date.fromisoformat(recorded[:10]).toordinal())
        self.written += 1
        self.amendments_made += 1
        self.last_recorded = max(self.last_recorded, recorded)

    def correction(self, fact: _Fact) -> dict[str, Any] | None:
        """Changes that keep every path legal, or None when only a retraction is safe."""
        rng = self.rng
        if fact.type == "Condemned":
            if rng.random() < 0.5 and fact.day - 30 > FIRST_DAY:
                return {"occurred_on": date.fromordinal(fact.day - rng.randint(1, 30)).isoformat()}
            return {"subject": rng.choice(SUBJECTS) + " (corrected)"}
        if fact.type == "Charged":
            return {"charges": rng.sample(CHARGES, 2)}
        if fact.type == "Sentenced":
            years = rng.randint(1, 15)
            return {"sentence": f"{years} years in prison", "term_days": years * 365}
        if fact.type == "Detained":
            return {"location": rng.choice(CITIES)}
        if fact.type == "Ratified":
            return {"mode": rng.choice(MODES)}
        return None

    # -- instruments -----------------------------------------------------------------------------

    def instruments(self, budget: int) -> None:
        rng = self.rng
        kinds = ["declaration"] * N_DECLARATIONS + ["treaty"] * N_TREATIES
        rng.shuffle(kinds)
        weights = [rng.uniform(0.5, 1.5) for _ in kinds]
        fixed = len(kinds) + kinds.count("treaty")
        spare = max(budget - fixed, 0)
        shares = [int(spare * w / sum(weights)) for w in weights]
        shares[-1] += spare - sum(shares)
        for number, (kind, share) in enumerate(zip(kinds, shares, strict=True)):
            topic = TOPICS[number % len(TOPICS)]
            slug = f"{self.prefix}{'declaration' if kind == 'declaration' else 'treaty'}-{number:02d}-{topic}"
            self.log.instruments.append(slug)
            if kind == "declaration":
                self.log.declarations.append(slug)
            self.instrument(slug, kind, topic, share)

    def instrument(self, slug: str, kind: str, topic: str, budget: int) -> None:
        rng = self.rng
        subject = topic.replace("-", " ")
        opened = rng.randint(FIRST_DAY, date(2020, 12, 31).toordinal())
        body: dict[str, Any] = {
            "instrument": slug,
            "title": f"{'Declaration' if kind == 'declaration' else 'Convention'} on {subject}",
            "kind": kind,
        }
        if rng.random() < 0.7:
            body["initiator"] = rng.choice(self.parties)
        self.write(self.fact("InstrumentOpened", body, opened))
        if kind == "treaty":
            force = min(opened + rng.randint(90, 2500), LAST_FACT_DAY)
            self.write(self.fact("EnteredIntoForce", {"instrument": slug}, force))
        if budget <= 0:
            return
        count = min(len(self.parties), max(1, budget // 3))
        members = rng.sample(self.parties, count)
        lengths = [budget // count] * count
        for index in range(budget - sum(lengths)):
            lengths[index] += 1
        for party, length in zip(members, lengths, strict=True):
            self.participation(slug, kind, party, opened, length)

    def participation(self, slug: str, kind: str, party: str, opened: int, length: int) -> None:
        """`length` legal participation facts of one party, on distinct days after the opening."""
        rng = self.rng
        days = sorted(rng.sample(range(opened + 1, LAST_FACT_DAY + 1), length))
        status: str | None = None
        for index, day in enumerate(days):
            following = days[index + 1] if index + 1 < len(days) else LAST_FACT_DAY + 1
            body: dict[str, Any] = {"instrument": slug, "party": party}
            if status in (None, "withdrawn"):
                if kind == "declaration":
                    kind_of = "Signed" if rng.random() < 0.3 else "Endorsed"
                else:
                    kind_of = "Signed" if rng.random() < 0.6 else "Ratified"
            elif status == "signed":
                consent = "Endorsed" if kind == "declaration" else "Ratified"
                kind_of = consent if rng.random() < 0.65 else "Withdrew"
            else:  # endorsed, ratified (or party)
                kind_of = "Withdrew"
            if kind_of == "Ratified":
                body["mode"] = rng.choice(MODES) if rng.random() < 0.3 else "ratification"
                if rng.random() < 0.3:
                    body["effective_on"] = date.fromordinal(day + rng.randint(0, 90)).isoformat()
                status = "ratified"
            elif kind_of == "Withdrew":
                if following - day > 2 and rng.random() < 0.5:
                    effective = day + rng.randint(1, min(365, following - day - 2))
                    body["effective_on"] = date.fromordinal(effective).isoformat()
                status = "withdrawn"
            else:
                status = "signed" if kind_of == "Signed" else "endorsed"
            fact = self.fact(kind_of, body, day)
            self.maybe_amend(fact)

    # -- cases -------------------------------------------------------------------------------------

    def cases(self, count: int, budget: int) -> None:
        rng = self.rng
        self.log.cases = count
        lengths = [budget // count] * count
        for index in range(budget - sum(lengths)):
            lengths[index] += 1
        # Vary the lengths (2..2x mean) while keeping the total: move events between pairs of cases.
        for index in range(0, count - 1, 2):
            a, b = lengths[index], lengths[index + 1]
            if a > 2 and b > 2:
                shift = rng.randint(-(a - 2), b - 2)
                lengths[index], lengths[index + 1] = a + shift, b - shift
        for number, length in enumerate(lengths):
            self.case(number, length)

    def case(self, number: int, length: int) -> None:
        rng = self.rng
        slug = f"{self.prefix}case-{number:06d}"
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        nationalities = rng.sample(self.parties, 2 if rng.random() < 0.1 else 1)
        detaining = rng.choice(self.parties)
        while detaining in nationalities:
            detaining = rng.choice(self.parties)
        detention: dict[str, Any] = {
            "case": slug,
            "person": person,
            "nationalities": nationalities,
            "detaining_state": detaining,
        }
        if rng.random() < 0.1:
            requester = rng.choice(self.parties)
            if requester != detaining:
                detention["requested_by"] = requester
        if rng.random() < 0.5:
            detention["location"] = rng.choice(CITIES)
        span = max(length * 40, 400)
        start = rng.randint(date(1990, 1, 1).toordinal(), LAST_FACT_DAY - span)
        days = sorted(rng.sample(range(start, start + span), length))
        status: str | None = None
        for index, day in enumerate(days):
            occurred: str | None = None
            if status is None:
                kind, body = "Detained", dict(detention)
                first = date.fromordinal(day)
                if index + 1 < len(days) and rng.random() < 0.03:
                    month_end = date(first.year + first.month // 12, first.month % 12 + 1, 1).toordinal() - 1
                    if days[index + 1] > month_end:
                        occurred, day = f"{first.year:04d}-{first.month:02d}", month_end
                status = "custody"
            else:
                kind, body, status = self.case_step(slug, number, status, detention)
            fact = self.fact(kind, body, day, occurred)
            self.maybe_amend(fact)

    def case_step(
        self, slug: str, number: int, status: str, detention: dict[str, Any]
    ) -> tuple[str, dict[str, Any], str]:
        """The next legal fact of a case in `status` (custody, on_bail or released)."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12 and number > 0:
            other = f"{self.prefix}case-{rng.randrange(max(0, number - 5000), number):06d}"
            return (
                "CasesLinked",
                {"case": slug, "other_case": other, "relation": rng.choice(RELATIONS)},
                status,
            )
        if status == "released":
            return "Detained", dict(detention), "custody"
        if status == "on_bail":
            if roll < 0.35:
                return "Charged", {"case": slug, "charges": rng.sample(CHARGES, rng.randint(1, 2))}, status
            if roll < 0.45:
                return "Sentenced", self.sentence(slug), status
            if roll < 0.75:
                return "Detained", dict(detention), "custody"
            return "Released", {"case": slug, "mechanism": rng.choice(MECHANISMS)}, "released"
        if roll < 0.40:
            return "Charged", {"case": slug, "charges": rng.sample(CHARGES, rng.randint(1, 2))}, status
        if roll < 0.60:
            return "Sentenced", self.sentence(slug), status
        if roll < 0.80:
            return "Released", {"case": slug, "mechanism": "bail"}, "on_bail"
        return "Released", {"case": slug, "mechanism": rng.choice(MECHANISMS)}, "released"

    def sentence(self, slug: str) -> dict[str, Any]:
        years = self.rng.randint(1, 20)
        body: dict[str, Any] = {"case": slug, "sentence": f"{years} years in prison"}
        if self.rng.random() < 0.7:
            body["term_days"] = years * 365
        return body

    # -- statements and amendments ---------------------------------------------------------------

    def statements(self, count: int, amend: int) -> None:
        rng = self.rng
        targets = set(rng.sample(range(count), min(amend, count)))
        slugs = self.log.instruments
        for index in range(count):
            actor = rng.choice(self.parties)
            body: dict[str, Any] = {"actor": actor, "subject": rng.choice(SUBJECTS)}
            if rng.random() < 0.7:
                target = rng.choice(self.parties)
                if target != actor:
                    body["target"] = target
            roll = rng.random()
            if roll < 0.2:
                body["instrument"] = rng.choice(slugs)
            elif roll < 0.4 and self.log.cases:
                body["case"] = f"{self.prefix}case-{rng.randrange(self.log.cases):06d}"
            if rng.random() < 0.3:
                body["speaker"] = rng.choice(SPEAKERS)
            if rng.random() < 0.2:
                body["quote"] = rng.choice(QUOTES)
            day = rng.randint(date(1990, 1, 1).toordinal(), LAST_FACT_DAY)
            occurred = None
            if rng.random() < 0.05:
                first = date.fromordinal(day)
                day = date(first.year + first.month // 12, first.month % 12 + 1, 1).toordinal() - 1
                occurred = f"{first.year:04d}-{first.month:02d}"
            fact = self.fact("Condemned", body, day, occurred)
            if index in targets:
                self.amend(fact)
            else:
                self.write(fact)

    def maybe_amend(self, fact: _Fact) -> None:
        # Amend about half the amendment budget among instrument and case facts, the rest among statements.
        if (
            fact.type in ("Ratified", "Detained", "Charged", "Sentenced", "CasesLinked")
            and self.amendments_made * 2 < self.amendments_wanted
            and self.rng.random() < AMENDMENT_SHARE * 1.2
        ):
            self.amend(fact)
        else:
            self.write(fact)

    def run(self) -> None:
        n = self.events
        instrument_budget = max(int(n * INSTRUMENT_SHARE), N_DECLARATIONS + 2 * N_TREATIES)
        statement_budget = int(n * STATEMENT_SHARE)
        # Short cases: about three facts each (a quarter of the log's lines are cases), no cap.
        case_count = max(1, n // 4) if self.short_cases else max(1, min(MAX_CASES, n // 10))
        self.instruments(instrument_budget)
        case_budget = n - self.written - statement_budget - (self.amendments_wanted - self.amendments_made)
        case_budget = max(case_budget, case_count)
        self.cases(case_count, case_budget)
        remaining = n - self.written
        amend = max(self.amendments_wanted - self.amendments_made, 0)
        amend = min(amend, remaining // 2)
        self.statements(remaining - amend, amend)


def generate(
    path: str | Path,
    events: int,
    *,
    seed: int = DEFAULT_SEED,
    prefix: str = "",
    short_cases: bool = False,
) -> GeneratedLog:
    """Write a legal synthetic log of exactly `events` lines to `path`; return what it holds.

    `short_cases`: a log of many short detention cases (about three facts each) instead of
    min(N / 10, 100,000) longer ones.
    """
    if events < 200:
        raise ValueError(f"events must be at least 200 (50 instruments need room); got {events}")
    started = time.perf_counter()
    path = Path(path)
    log = GeneratedLog(path=path, events=events, seed=seed, prefix=prefix)
    tmp = Path(tempfile.mkdtemp(prefix="benchlog-", dir=path.parent))
    try:
        rng = random.Random(seed)
        writer = _Writer(rng, log, tmp)
        generator = _Generator(events, rng, prefix, writer, log, short_cases)
        generator.run()
        writer.finish(path)
        log.last_recorded = generator.last_recorded
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    written = sum(log.types.values())
    if written != events:
        raise AssertionError(f"generator wrote {written} events, not {events}")
    log.seconds = time.perf_counter() - started
    return log


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.generate --events N [--seed S] [--prefix P] OUTPUT`."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--prefix", default="", help="prepended to every instrument and case slug")
    parser.add_argument(
        "--short-cases", action="store_true", help="many short cases (about three facts each)"
    )
    args = parser.parse_args(argv)
    log = generate(args.output, args.events, seed=args.seed, prefix=args.prefix, short_cases=args.short_cases)
    json.dump(log.summary(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
