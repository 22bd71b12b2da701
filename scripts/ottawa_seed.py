#!/usr/bin/env python3
"""Write seeds/ottawa-treaty.jsonl: the Ottawa Convention's whole participation record.

    PYTHONPATH=src python scripts/ottawa_seed.py            # (re)write the seed
    PYTHONPATH=src python scripts/ottawa_seed.py --check    # exit 1 if the committed seed differs

Input: the two tables in tests/data/ (see tests/data/README.md): the UN Treaty Series
participant export of 2016 and the ten later actions. Output: log format v1 as extended by
issue 13 (final clauses on `InstrumentOpened`), one JSON object per line, deterministic.

The Convention's final clauses (English text; sources on the first line):
- art. 15: open for signature at Ottawa on 3-4 December 1997 "and at the United Nations
  Headquarters in New York from 5 December 1997 until its entry into force";
- art. 17(1): in force "on the first day of the sixth month after the month in which the 40th
  instrument of ratification, acceptance, approval or accession has been deposited";
- art. 17(2): for a State depositing "after the date of the deposit of the 40th instrument",
  "on the first day of the sixth month after the date on which that State has deposited" it;
- art. 20(3): a withdrawal "shall only take effect six months after the receipt of the
  instrument of withdrawal by the Depositary" (not during an armed conflict of the
  withdrawing State: no row here needs that proviso).

So no line carries `effective_on` where these clauses derive the table's "Date of Effect".
Only the two successions do (effect on the date of succession, before the notification).
Every other difference between the table and the clauses is a known error of the table
(`TABLE_ERRORS`); the converter stops on any other.

Rows left out, to be added when the event types exist (issue 13 and the treaty-acts issue):
- Serbia, "Declaration" (no date): Serbia continues Serbia and Montenegro's participation
  from 3 June 2006; a `Continued` event (party SRB, predecessor SCG, 2006-06-03).
- "Territorial application": the United Kingdom (4 December 2001, 3 April 2002) and the
  Netherlands (21 February 2014).
- Ukraine, "Suspension" (18 July 2025): Ukraine told the UN it suspended the operation of
  the Convention (VCLT art. 62); not a withdrawal under art. 20.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from declaration_events.parties import resolve_party

ROOT = Path(__file__).resolve().parents[1]
UNTC_TABLE = ROOT / "tests" / "data" / "untc_I-35597_ottawa_2016.csv"
UPDATES_TABLE = ROOT / "tests" / "data" / "ottawa_updates_2017_2026.csv"
SEED = ROOT / "seeds" / "ottawa-treaty.jsonl"

INSTRUMENT = "ottawa-treaty"
TITLE = (
    "Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of "
    "Anti-Personnel Mines and on their Destruction"
)
#: When the 2016 export was taken: the record time of every row of the UN table.
EXPORT_RECORDED_AT = "2016-03-08T00:00:00+00:00"

Source = dict[str, str]
Line = dict[str, Any]

UNTC_STATUS: Source = {
    "title": f"Multilateral Treaties Deposited with the Secretary-General, chapter XXVI 5: {TITLE}",
    "url": "https://treaties.un.org/Pages/ViewDetails.aspx?src=TREATY&mtdsg_no=XXVI-5&chapter=26",
    "publisher": "United Nations Treaty Collection",
}
UNTC_EXPORT: Source = {
    "title": "UN Treaty Series participant export, registration I-35597 (35597.csv)",
    "url": (
        "https://github.com/tkah/CountriesAndIntlAffairs/blob/"
        "03186f27300024dea5cb48fb12f7e190b71aa4f1/db_resources/35597.csv"
    ),
    "publisher": "tkah/CountriesAndIntlAffairs (GitHub)",
    "published_on": "2016-03-08",
}
TREATY_TEXT: Source = {
    "title": (
        f"{TITLE}, English text: art. 15 (open for signature at the United Nations Headquarters "
        "'from 5 December 1997 until its entry into force'), art. 17(1) ('the first day of the "
        "sixth month after the month in which the 40th instrument ... has been deposited'), "
        "art. 17(2) ('the first day of the sixth month after the date on which that State has "
        "deposited'), art. 20(3) ('six months after the receipt of the instrument of withdrawal "
        "by the Depositary')"
    ),
    "url": (
        "https://github.com/statengeneraal/laws-markdown/blob/"
        "26ef0fbfe65b3c94585e92b256b68b334d9ad1e5/verdrag/convention/of/the/prohibition/of/the/"
        "use/stockpiling/production/and/etc/BWBV0001384/README.md"
    ),
    "publisher": "Netherlands treaty database (wetten.overheid.nl BWBV0001384), Markdown mirror",
}
JOINING: Source = {
    "title": "Joining the Mine Ban Convention (articles 15, 16, 17(2) and 18)",
    "url": (
        "https://disarmament.unoda.org/anti-personnel-landmines-convention/joining-the-mine-ban-convention"
    ),
    "publisher": "United Nations Office for Disarmament Affairs",
}
# The sources of the seed's first lines before the whole record replaced them.
UNODA_MINEBAN: Source = {
    "url": "http://www.un.org/disarmament/convarms/landmines/mineban/",
    "publisher": "United Nations Office for Disarmament Affairs",
}
ACA_122: Source = {
    "title": "122 States Sign Ottawa Landmine Treaty",
    "url": "https://www.armscontrol.org/act/1997-11/arms-control-today/122-states-sign-ottawa-landmine-treaty",
    "publisher": "Arms Control Association (Arms Control Today)",
}
ARTICLE: Source = {
    "title": "58 countries sign declaration calling for an end to the arbitrary detention of foreigners"
}

#: The instrument, as the seed first recorded it (its id is fixed: a correction points at it),
#: with the final clauses. Recorded with the UN export (the seed first said 2021-02-16), so that
#: a query "as known" between 2016 and 2021 sees the export's facts and the instrument they are about.
OPENED: Line = {
    "type": "InstrumentOpened",
    "id": "43a8e878-12ee-453f-9570-e19b662393d7",
    "occurred_on": "1997-12-03",
    "recorded_at": EXPORT_RECORDED_AT,
    "instrument": INSTRUMENT,
    "title": TITLE,
    "kind": "treaty",
    "initiator": "CAN",
    "final_clauses": {
        "consents_required": 40,
        "entry_into_force": {"months": 6, "day": 1},
        "later_consents": {"months": 6, "day": 1},
        "withdrawal": {"months": 6},
        "signature_closes": "at_entry_into_force",
    },
    "sources": [ARTICLE, UNODA_MINEBAN, ACA_122, TREATY_TEXT, JOINING, UNTC_STATUS],
    "note": (
        'Ottawa Treaty (Mine Ban Treaty). As reported by the article: "To date it has been signed '
        "by more than 133 of the 164 countries participating, although none of the major arms "
        "powers, such as the People’s Republic of China, India, Russia, and the United States, "
        'are parties."'
    ),
}
#: The UN's date of entry into force, as the seed first recorded it (the clauses derive the same).
ENTERED_INTO_FORCE: Line = {
    "type": "EnteredIntoForce",
    "occurred_on": "1999-03-01",
    "recorded_at": "2021-02-16T12:10:00+00:00",
    "instrument": INSTRUMENT,
    "sources": [UNODA_MINEBAN],
}
#: The correction of the article's figures, as the seed first recorded it.
CORRECTED: Line = {
    "type": "Corrected",
    "occurred_on": "2026-11-01",
    "recorded_at": "2026-11-01T12:00:00+00:00",
    "target": OPENED["id"],
    "changes": {
        "note": (
            "Ottawa Treaty (Mine Ban Treaty). Opened for signature in Ottawa on 1997-12-03 (122 "
            "states signed on 3-4 December 1997). Correct statement: 133 states signed before "
            "entry into force on 1999-03-01; 164 states were parties at the start of 2025. Not "
            "parties: the United States, China, Russia, India, Pakistan, the Republic of Korea, "
            "among others."
        )
    },
    "reason": (
        'The article\'s "signed by more than 133 of the 164 countries" conflates two different '
        "figures: the 133 signatories before entry into force and the 164 states parties at the "
        "start of 2025."
    ),
    "sources": [UNODA_MINEBAN, ACA_122],
}

CONSENTS = {
    "Ratification": "ratification",
    "Acceptance": "acceptance",
    "Approval": "approval",
    "Accession": "accession",
    "Succession": "succession",
}
#: Actions of the tables written otherwise than row by row, and why (see the docstring).
LEFT_OUT = {
    "Declaration": "Serbia's continuation of Serbia and Montenegro: written as CONTINUED below",
    "Territorial application": "one TerritoryIncluded per territory named (TERRITORIES below)",
}

UNODA_UK: Source = {
    "title": (
        "United Kingdom of Great Britain and Northern Ireland: Ratification of Anti-Personnel Mine Ban "
        "Convention (notes: extensions of 4 December 2001 and 3 April 2002)"
    ),
    "url": "http://disarmament.un.org/treaties/a/mine_ban/unitedkingdomofgreatbritainandnorthernireland/rat/un",
    "publisher": "United Nations Office for Disarmament Affairs, Disarmament Treaties Database",
}
#: The table's "Territorial application" rows: (participant, date) -> (territories, note, source).
#: None: the territory is not known from the sources seen; the row stays left out.
TERRITORIES: dict[tuple[str, date], tuple[tuple[str, ...], str, Source] | None] = {
    ("United Kingdom of Great Britain and Northern Ireland", date(2001, 12, 4)): (
        ("AIA", "BMU", "IOT", "VGB", "CYM", "FLK", "MSR", "PCN", "SHN", "SGS", "TCA"),
        "Extension of 4 December 2001 (UNODA). The same notification names the British Antarctic "
        "Territory and the Sovereign Base Areas of Akrotiri and Dhekelia, which have no ISO 3166-1 "
        "code and are not recorded; 'St. Helena and Dependencies' is recorded as SHN, 'Pitcairn, "
        "Henderson, Ducie and Oeno Islands' as PCN. No date of effect is given.",
        UNODA_UK,
    ),
    ("United Kingdom of Great Britain and Northern Ireland", date(2002, 4, 3)): (
        ("GGY", "JEY", "IMN"),
        "Extension of 3 April 2002 to the Bailiwick of Guernsey, the Bailiwick of Jersey and the "
        "Isle of Man (UNODA). No date of effect is given.",
        UNODA_UK,
    ),
    # The sources seen do not say to which part of the Kingdom the Netherlands applied the
    # Convention on 21 February 2014 (probably the Caribbean part: not confirmed).
    ("Netherlands", date(2014, 2, 21)): None,
}
#: Ukraine's notice: a suspension of the Convention's operation (VCLT art. 62), not a withdrawal.
SUSPENSION_NOTE = (
    "Ukraine notified the Secretary-General on 18 July 2025 that it suspended the operation of the "
    "Convention, invoking art. 62 VCLT (fundamental change of circumstances), 'until the end of the "
    "war'. The Convention has no suspension clause; art. 20 (withdrawal, six months) was not "
    "invoked. Recorded as in effect from the notification: no date of effect is given in the "
    "sources seen. ICBL and others dispute its legality."
)
ICBL_SUSPENSION: Source = {
    "title": "ICBL Statement on Ukraine's Attempt to Withdraw from the Mine Ban Treaty (25 July 2025)",
    "url": "https://icblcmc.org/our-impact/icbl-statement-on-ukraines-attempt-to-withdraw-from-the-mine-ban-treaty",
    "publisher": "International Campaign to Ban Landmines",
}
#: Same-day order: a signature before a consent; a withdrawal before a re-accession.
ACTION_ORDER = {"Signed": 0, "Withdrew": 1, "Ratified": 2}

MONITOR_BELARUS = "http://archives.the-monitor.org/index.php/publications/display?url=lm/2005/belarus.html"
#: Rows whose "Date of Effect" the final clauses contradict, with the reason and its source:
#: (participant, action) -> (the table's date, note, source). No effective_on: the clauses hold.
TABLE_ERRORS: dict[tuple[str, str], tuple[date, str, Source]] = {
    ("Belarus", "Accession"): (
        date(2004, 2, 1),
        "UNTC's table gives 1 February 2004 as the date of effect. Art. 17(2) gives the first day "
        "of the sixth month after the deposit of 3 September 2003: 1 March 2004, the date "
        "Landmine Monitor reports (and its stockpile deadline, 1 March 2008, implies). The table "
        "is wrong; the final clauses derive the date.",
        {
            "title": "Belarus, Landmine Monitor Report 2005",
            "url": MONITOR_BELARUS,
            "publisher": "Landmine Monitor (ICBL)",
        },
    ),
}
#: Successions: effect on the date of succession, which precedes the notification.
SUCCESSIONS: dict[str, tuple[date, str, Source]] = {
    "Montenegro": (
        date(2006, 6, 3),
        "Notification of succession deposited on 23 October 2006, in effect from 3 June 2006, the "
        "day Montenegro declared independence from Serbia and Montenegro (UN depositary). "
        "Landmine Monitor instead counts Montenegro a State Party from 1 April 2007, the date "
        "art. 17(2) would give from the notification.",
        {
            "title": "Montenegro: Mine Ban Policy",
            "url": "http://www.the-monitor.org/en-gb/reports/2017/montenegro/mine-ban-policy.aspx",
            "publisher": "Landmine and Cluster Munition Monitor",
        },
    ),
    "South Sudan": (
        date(2011, 7, 9),
        "Notification of succession deposited on 11 November 2011; according to the UN Office "
        "of Legal Affairs the Convention became effective for South Sudan on 9 July 2011, the "
        "date of independence and succession.",
        {
            "title": "South Sudan",
            "url": "https://www.apminebanconvention.org/states-parties-to-the-convention/south-sudan/",
            "publisher": "Anti-Personnel Mine Ban Convention Implementation Support Unit",
        },
    ),
}
#: Notes on rows that are right but easy to misread.
NOTES: dict[tuple[str, str], tuple[str, tuple[Source, ...]]] = {
    ("Canada", "Signature"): ("", (UNODA_MINEBAN, ACA_122)),
    ("Canada", "Ratification"): (
        "Canada signed and ratified on the day the convention opened for signature.",
        (UNODA_MINEBAN, ACA_122),
    ),
    ("Kenya", "Signature"): (
        "Signed on 5 December 1997, the first day of signature at UN Headquarters (art. 15), as "
        "Landmine Monitor and Kenya's government also date it. The table has 121 signatures "
        "dated 3-4 December 1997, where UNODA counts 122 states that signed in Ottawa.",
        (
            {
                "title": "Kenya: Mine Ban Policy",
                "url": "https://www.the-monitor.org/en-gb/reports/2023/kenya/mine-ban-policy.aspx",
                "publisher": "Landmine and Cluster Munition Monitor",
            },
        ),
    ),
    ("Bangladesh", "Signature"): (
        "The table gives this signature a date of effect (7 May 1998); a signature has none.",
        (),
    ),
    ("Burkina Faso", "Ratification"): (
        "One of the two instruments deposited on 16 September 1998, the date of the 40th "
        "(UNODA names Burkina Faso the 40th): the Convention entered into force on 1 March 1999.",
        (UNODA_MINEBAN,),
    ),
    ("Equatorial Guinea", "Accession"): (
        "One of the two instruments deposited on 16 September 1998, the date of the 40th.",
        (),
    ),
    ("Yemen Arab Republic", "Signature"): (
        "The table names the participant 'Yemen Arab Republic', which ceased to exist at "
        "unification on 22 May 1990; the Republic of Yemen signed on 4 December 1997.",
        (
            {
                "title": "Yemen: Mine Ban Policy",
                "url": "http://www.the-monitor.org/en-gb/reports/2021/yemen/mine-ban-policy.aspx",
                "publisher": "Landmine and Cluster Munition Monitor",
            },
        ),
    ),
    ("Yemen Arab Republic", "Ratification"): (
        "The table names the participant 'Yemen Arab Republic'; the Republic of Yemen ratified "
        "on 1 September 1998.",
        (
            {
                "title": "Yemen: Mine Ban Policy",
                "url": "http://www.the-monitor.org/en-gb/reports/2021/yemen/mine-ban-policy.aspx",
                "publisher": "Landmine and Cluster Munition Monitor",
            },
        ),
    ),
    ("Serbia and Montenegro", "Accession"): (
        "Serbia continues Serbia and Montenegro's participation from 3 June 2006 (the table's "
        "undated 'Declaration' row of Serbia); Montenegro succeeded separately.",
        (),
    ),
    ("The former Yugoslav Republic of Macedonia", "Accession"): (
        "UNTC's name for North Macedonia until 2019.",
        (),
    ),
}
PUBLISHERS = {
    "apminebanconvention.org": "Anti-Personnel Mine Ban Convention Implementation Support Unit",
    "icblcmc.org": "International Campaign to Ban Landmines - Cluster Munition Coalition",
    "lokmattimes.com": "Lokmat Times",
    "maginternational.org": "MAG (Mines Advisory Group)",
    "report.az": "Report.az",
    "gamereactor.eu": "Gamereactor",
    "unn.ua": "UNN (Ukrainian National News)",
    "armscontrol.org": "Arms Control Association (Arms Control Today)",
    "tass.com": "TASS",
    "hrw.org": "Human Rights Watch",
}
_URL = re.compile(r"https?://[^\s,;()\"']+")


@dataclass(frozen=True)
class Row:
    """One row of either table, its dates parsed."""

    participant: str
    action: str
    deposited: date | None
    effect: date | None
    reported_on: date | None = None
    source_url: str | None = None
    note: str | None = None


def _date(text: str | None) -> date | None:
    text = (text or "").strip()
    return datetime.strptime(text, "%d/%m/%Y").date() if text else None


def read_table(path: Path) -> list[Row]:
    """The rows of a table: the UN export's four columns, and the updates' three more."""
    with path.open(encoding="utf-8", newline="") as table:
        return [
            Row(
                participant=record["Participant"].strip(),
                action=record["Action"].strip(),
                deposited=_date(record["Date of Notification/Deposit"]),
                effect=_date(record["Date of Effect"]),
                reported_on=_date(record.get("Reported on")),
                source_url=(record.get("Source URL") or "").strip() or None,
                note=(record.get("Note") or "").strip() or None,
            )
            for record in csv.DictReader(table)
        ]


def _months_later(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def first_of_sixth_month(day: date) -> date:
    """Art. 17: the first day of the sixth month after the month of `day`."""
    year, month = _months_later(day, 6)
    return date(year, month, 1)


def six_months_after(day: date) -> date:
    """Art. 20(3): six months after `day` (the same day of the month; none here needs clamping)."""
    year, month = _months_later(day, 6)
    return date(year, month, day.day)


def derived_effects(rows: Sequence[Row]) -> dict[Row, date]:
    """The date of effect the final clauses give each consent and withdrawal."""
    consents = sorted((r for r in rows if r.action in CONSENTS), key=lambda r: _deposited(r))
    fortieth = _deposited(consents[39])
    entry_into_force = first_of_sixth_month(fortieth)
    effects: dict[Row, date] = {}
    for row in rows:
        if row.action in CONSENTS:
            later = first_of_sixth_month(_deposited(row))
            effects[row] = entry_into_force if _deposited(row) <= fortieth else max(later, entry_into_force)
        elif row.action == "Withdrawal":
            effects[row] = six_months_after(_deposited(row))
    return effects


def _deposited(row: Row) -> date:
    if row.deposited is None:
        raise ValueError(f"{row.participant}: {row.action} has no date")
    return row.deposited


def _publisher(url: str) -> str | None:
    host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("old.")
    return PUBLISHERS.get(host)


def _web_source(url: str, published_on: date | None = None) -> Source:
    source: Source = {"url": url}
    if publisher := _publisher(url):
        source["publisher"] = publisher
    if published_on is not None:
        source["published_on"] = published_on.isoformat()
    return source


def _line(row: Row, code: str, effects: dict[Row, date], updates: bool) -> Line:
    kind = "Signed" if row.action == "Signature" else "Withdrew" if row.action == "Withdrawal" else "Ratified"
    occurred_on = _deposited(row)
    line: Line = {"type": kind, "occurred_on": occurred_on.isoformat()}
    if updates:
        if row.reported_on is None or row.reported_on < occurred_on:
            raise ValueError(f"{row.participant}: reported on {row.reported_on}, before {occurred_on}")
        line["recorded_at"] = f"{row.reported_on.isoformat()}T12:00:00+00:00"
    else:
        line["recorded_at"] = EXPORT_RECORDED_AT
    line["instrument"] = INSTRUMENT
    line["party"] = code
    if kind == "Ratified":
        line["mode"] = CONSENTS[row.action]
    sources: list[Source] = [UNTC_STATUS]
    notes: list[str] = []
    if updates:
        if row.source_url is None:
            raise ValueError(f"{row.participant}: {row.action} has no source URL")
        sources.append(_web_source(row.source_url, row.reported_on))
        sources.extend(_web_source(url) for url in _URL.findall(row.note or "") if url != row.source_url)
        if row.note:
            notes.append(row.note)
    else:
        sources.append(UNTC_EXPORT)
    key = (row.participant, row.action)
    if row.action == "Succession":
        effective_on, note, source = SUCCESSIONS[row.participant]
        if row.effect != effective_on:
            raise ValueError(
                f"{row.participant}: the table's date of effect is {row.effect}, not {effective_on}"
            )
        line["effective_on"] = effective_on.isoformat()
        notes.append(note)
        sources.append(source)
    elif row in effects and row.effect != effects[row]:
        if key not in TABLE_ERRORS or TABLE_ERRORS[key][0] != row.effect:
            raise ValueError(f"{key}: the table's date of effect {row.effect} is not {effects[row]}")
        _, note, source = TABLE_ERRORS[key]
        notes.append(note)
        sources.append(source)
    if key in NOTES:
        note, more = NOTES[key]
        notes.extend([note] if note else [])
        sources.extend(more)
    line["sources"] = sources
    if notes:
        line["note"] = " ".join(notes)
    return line


#: The table's undated "Declaration" row of Serbia: Serbia continues the membership of
#: Serbia and Montenegro from Montenegro's independence (3 June 2006), as the UN
#: Secretary-General recorded for every treaty deposited with him.
CONTINUED: Line = {
    "type": "Continued",
    "occurred_on": "2006-06-03",
    "recorded_at": "2016-03-08T00:00:00+00:00",
    "party": "SRB",
    "predecessor": "SCG",
    "sources": [UNTC_STATUS, UNTC_EXPORT],
    "note": (
        "UNTC lists an undated 'Declaration' of Serbia: the Republic of Serbia continues the "
        "participation of Serbia and Montenegro in treaties deposited with the Secretary-General "
        "from 3 June 2006, the date of Montenegro's declaration of independence. The table gives "
        "no date; 3 June 2006 is the date the depositary records for the continuation."
    ),
}


def _territories(row: Row, code: str) -> list[Line]:
    """One TerritoryIncluded per territory a "Territorial application" row names."""
    assert row.deposited is not None  # noqa: S101 - every such row is dated
    found = TERRITORIES[(row.participant, row.deposited)]
    if found is None:
        return []
    territories, note, source = found
    return [
        {
            "type": "TerritoryIncluded",
            "occurred_on": row.deposited.isoformat(),
            "recorded_at": EXPORT_RECORDED_AT,
            "instrument": INSTRUMENT,
            "party": code,
            "territory": territory,
            "sources": [UNTC_STATUS, UNTC_EXPORT, source],
            "note": note,
        }
        for territory in territories
    ]


def _suspension(row: Row, code: str) -> Line:
    """Ukraine's suspension of the Convention's operation."""
    if row.reported_on is None or row.source_url is None:
        raise ValueError(f"{row.participant}: a suspension needs its report's date and URL")
    return {
        "type": "Suspended",
        "occurred_on": _deposited(row).isoformat(),
        "recorded_at": f"{row.reported_on.isoformat()}T12:00:00+00:00",
        "instrument": INSTRUMENT,
        "party": code,
        "sources": [UNTC_STATUS, _web_source(row.source_url, row.reported_on), ICBL_SUSPENSION],
        "note": SUSPENSION_NOTE,
    }


def seed_lines(untc_table: Path = UNTC_TABLE, updates_table: Path = UPDATES_TABLE) -> list[Line]:
    """Every line of the seed: the instrument first, then the facts by date, party and action."""
    untc, updates = read_table(untc_table), read_table(updates_table)
    effects = derived_effects([*untc, *updates])
    facts: list[Line] = [ENTERED_INTO_FORCE, CORRECTED, CONTINUED]
    for row in [*untc, *updates]:
        if row.action == "Territorial application":
            facts.extend(_territories(row, resolve_party(row.participant)))
            continue
        if row.action == "Suspension":
            facts.append(_suspension(row, resolve_party(row.participant)))
            continue
        if row.action in LEFT_OUT:
            continue
        if row.action not in {"Signature", "Withdrawal", *CONSENTS}:
            raise ValueError(f"{row.participant}: no event for the action {row.action!r}")
        facts.append(_line(row, resolve_party(row.participant), effects, row in updates))
    facts.sort(
        key=lambda f: (
            f["occurred_on"],
            f.get("party", ""),
            ACTION_ORDER.get(f["type"], 3),
            f.get("territory", ""),
        )
    )
    return [OPENED, *facts]


def render(lines: Sequence[Line]) -> str:
    """The JSON Lines text: one object per line, UTF-8 as is."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Write the seed, or with --check report whether the committed one is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="exit 1 if the seed differs, write nothing")
    parser.add_argument("--output", type=Path, default=SEED)
    args = parser.parse_args(argv)
    text = render(seed_lines())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run scripts/ottawa_seed.py", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(text.splitlines())} lines to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
