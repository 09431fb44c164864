"""The audit trail as a person reads it: who did what to which named thing, before → after.

The audit sits below the features, so it knows none of their models: each feature tells it
at start-up how its entries read (a sentence per action), what its snapshot fields are
called, and how to select the names of its things. A page of entries then costs one query
for every name it shows, whatever its length and whatever kinds of things it names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from training.audit.models import AuditEntry
from training.core.i18n import country_name
from training.core.localtime import show_date, show_time


@dataclass(frozen=True)
class Named:
    """A thing's name as a sentence shows it, and the clock its times are read on."""

    name: str
    zone: str | None = None


def name_columns(
    id_: Any, name: Any, extra: Any = None, zone: Any = None
) -> list[sa.ColumnElement[Any]]:
    """The columns every kind's names are selected as (id, name, extra, zone), so that the
    names of every kind on a page come in one UNION ALL query."""
    return [
        sa.cast(id_, sa.Integer).label("id"),
        sa.cast(name, sa.String).label("name"),
        sa.cast(extra if extra is not None else sa.null(), sa.String).label("extra"),
        sa.cast(zone if zone is not None else sa.null(), sa.String).label("zone"),
    ]


@dataclass(frozen=True)
class NameSource:
    """Where one kind's names come from: a select of name_columns for some ids, and how a row
    (name, extra, zone) reads (extra is, say, the Chinese title or the organisation)."""

    select: Callable[[Collection[int]], sa.Select[Any]]
    named: Callable[[str, str | None, str | None], Named] = lambda name, _extra, zone: Named(name, zone)


_loaders: dict[str, NameSource] = {}
_phrases: dict[str, LazyString] = {}
_labels: dict[str, LazyString] = {}
_references: dict[str, str] = {}
_values: dict[str, dict[str, LazyString]] = defaultdict(dict)
_hidden: set[str] = set()

# Fields a sentence already says (who, which seat) or that mean nothing to a reader.
_UNSHOWN = frozenset({"sequence", "user_id", "quota_id", "person", "answered_at", "sessions"})
_DATETIMES = {"starts_at", "ends_at", "enrolment_opens_at", "enrolment_closes_at", "rsvp_deadline",
              "seat_release_at"}
_DATES = frozenset({"starts_on", "ends_on", "from", "to"})
_COUNTRIES = frozenset({"host_country", "country"})
_GENERIC_LABELS = {
    "title": _l("Title"), "title_zh": _l("Chinese title"), "name": _l("Name"), "email": _l("Email"),
    "status": _l("Status"), "host_country": _l("Host country"), "country": _l("Country"),
    "city": _l("City"), "venue": _l("Venue"), "timezone": _l("Timezone"), "starts_on": _l("First day"),
    "ends_on": _l("Last day"), "starts_at": _l("Starts"), "ends_at": _l("Ends"),
    "capacity": _l("Capacity"), "room": _l("Room"), "seats": _l("Seats"), "role": _l("Role"),
    "active": _l("Active"), "language": _l("Language"), "reason": _l("Reason"),
}


def register_subject(subject_type: str, source: NameSource) -> None:
    """How to name things of one kind (the model's class name)."""
    _loaders[subject_type] = source


def register_phrases(phrases: Mapping[str, LazyString]) -> None:
    """Sentences per action, with %(actor)s, %(subject)s and any of the values a feature's
    snapshots hold by name (e.g. %(country)s, %(answer)s); "<action>:own" is the sentence
    for a person acting on their own behalf (the snapshot's user_id is the actor's)."""
    _phrases.update(phrases)


def register_fields(
    labels: Mapping[str, LazyString] = {},  # noqa: B006 - read only
    *,
    references: Mapping[str, str] = {},  # noqa: B006 - read only
    values: Mapping[str, Mapping[str, LazyString]] = {},  # noqa: B006 - read only
    hidden: Collection[str] = (),
    datetimes: Collection[str] = (),
) -> None:
    """Names of snapshot fields; fields that hold ids of other things (instructors → Instructor);
    words for coded values (status "confirmed" → "confirmed" in the reader's language); fields
    kept for programs that a reader is not shown as a change (a key beside its title); and
    fields that hold instants, read as a day and time on the subject's clock."""
    _labels.update(labels)
    _hidden.update(hidden)
    _DATETIMES.update(datetimes)
    _references.update(references)
    for key, words in values.items():
        _values[key].update(words)


@dataclass
class Change:
    """One field's before → after, in words."""

    label: str
    before: str
    after: str


@dataclass
class ReadableEntry:
    """An audit entry as a sentence, its changes, and the recorded data for those who need it."""

    entry: AuditEntry
    sentence: str
    changes: list[Change] = field(default_factory=list)


class _Words(dict[str, str]):
    """Values for a sentence; a value a sentence asks for and the entry lacks reads as a dash."""

    def __missing__(self, key: str) -> str:
        return "—"


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _wanted(entries: Iterable[AuditEntry]) -> dict[str, set[int]]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.subject_id is not None and entry.subject_type in _loaders:
            wanted[entry.subject_type].add(entry.subject_id)
        for snapshot in (entry.before, entry.after):
            for key, subject_type in _references.items():
                if isinstance(snapshot, dict) and key in snapshot:
                    wanted[subject_type].update(_ids(snapshot[key]))
    return wanted


def _when(value: Any, zone: str | None) -> tuple[str, str] | None:
    """An instant recorded as ISO text, as its day and its time on zone's clock."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    if instant.tzinfo is None:
        return None
    return show_date(instant, zone or "UTC"), show_time(instant, zone or "UTC")


class _Reader:
    """Says the values of one page of entries, with the names loaded for it."""

    def __init__(self, names: dict[str, dict[int, Named]]) -> None:
        self.names = names

    def value(self, key: str, value: Any, zone: str | None) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if key in _references:
            known = self.names.get(_references[key], {})
            return ", ".join(known[i].name if i in known else f"#{i}" for i in _ids(value)) or "—"
        if isinstance(value, list):
            return ", ".join(self.value(key, item, zone) for item in value)
        if key in _COUNTRIES and isinstance(value, str):
            return country_name(value)
        if key in _values and str(value) in _values[key]:
            return str(_values[key][str(value)])
        if key in _DATETIMES and isinstance(value, str):
            when = _when(value, zone)
            return " ".join(when) if when else value
        if key in _DATES and isinstance(value, str):
            try:
                return show_date(date.fromisoformat(value))
            except ValueError:
                return value
        if key == "timezone" and isinstance(value, str):
            return value.replace("_", " ")
        return str(value)

    def changes(self, entry: AuditEntry, zone: str | None) -> list[Change]:
        before, after = entry.before, entry.after
        if not isinstance(before, dict) or not isinstance(after, dict):
            return []
        found = []
        for key in [*before, *(k for k in after if k not in before)]:
            if key in _UNSHOWN or key in _hidden or before.get(key) == after.get(key):
                continue
            old, new = self.value(key, before.get(key), zone), self.value(key, after.get(key), zone)
            was, now = _when(before.get(key), zone), _when(after.get(key), zone)
            if key in _DATETIMES and was and now and was[0] == now[0]:
                old, new = was[1], now[1]  # the same day: the times alone say what moved (09:00 → 10:00)
            label = _labels.get(key) or _GENERIC_LABELS.get(key) or key.replace("_", " ")
            found.append(Change(str(label), old, new))
        return found

    def sentence(self, entry: AuditEntry, subject: Named | None) -> str:
        snapshot = {**(entry.before or {}), **(entry.after or {})}
        zone = subject.zone if subject else None
        words = _Words({key: self.value(key, value, zone) for key, value in snapshot.items()
                        if not isinstance(value, dict)})
        words["actor"] = entry.actor.name if entry.actor is not None else _("The system")
        fallback = snapshot.get("person") or snapshot.get("title") or snapshot.get("name")
        words["subject"] = subject.name if subject else str(fallback or _("something since deleted"))
        if isinstance(snapshot.get("to"), list):
            words["days"] = str(len(snapshot["to"]))
        # A person acting on their own enrolment reads better said once ("Zhao Lei enrolled").
        own = entry.actor is not None and snapshot.get("user_id") == entry.actor_id
        phrase = (own and _phrases.get(f"{entry.action}:own")) or _phrases.get(entry.action)
        if phrase is None:
            # An action no feature described: its code, said as plainly as it can be.
            return _("%(actor)s: %(action)s, %(subject)s.", actor=words["actor"],
                     action=entry.action.replace(".", " ").replace("_", " "), subject=words["subject"])
        return str(phrase) % words


def _names(session: Session, wanted: dict[str, set[int]]) -> dict[str, dict[int, Named]]:
    """The names of every thing wanted, of every kind, in one query."""
    selects = [
        _loaders[kind].select(sorted(ids)).add_columns(sa.literal(kind, sa.String).label("kind"))
        for kind, ids in sorted(wanted.items()) if ids and kind in _loaders
    ]
    names: dict[str, dict[int, Named]] = defaultdict(dict)
    if not selects:
        return names
    query = selects[0] if len(selects) == 1 else sa.union_all(*selects)
    for row in session.execute(query):
        names[row.kind][row.id] = _loaders[row.kind].named(row.name, row.extra, row.zone)
    return names


def readable(session: Session, entries: Sequence[AuditEntry]) -> list[ReadableEntry]:
    """The entries as sentences, loading every name they mention in one query."""
    names = _names(session, _wanted(entries))
    reader = _Reader(names)
    shown = []
    for entry in entries:
        subject = names.get(entry.subject_type, {}).get(entry.subject_id) if entry.subject_id else None
        zone = subject.zone if subject else None
        shown.append(ReadableEntry(entry, reader.sentence(entry, subject), reader.changes(entry, zone)))
    return shown
