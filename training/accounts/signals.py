"""What a person's export and erasure ask of the features that hold data about them, as blinker signals.

Accounts sits below every feature that keeps personal data (enrolments, documents,
travel forms, meetings), so nothing here imports them: the accounts services send, and
each feature connects its receiver at start-up. A feature that stores something about a
person answers both signals, so that an export is complete and an erasure leaves nothing.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the User; session=Session. Each receiver returns a dict of sections for the export,
# keyed by a stable name ({"enrolments": [...]}): plain JSON values, dates as ISO strings.
person_export_wanted = _signals.signal("person-export-wanted")

# sender: the User; session=Session, actor=User | None, via=str. Sent inside the erasing
# transaction, before the account itself is scrubbed: each receiver removes or replaces what
# its feature holds about the person (free text, files, queued mail), and never changes a
# seat counter, a waitlist position or an attendance total. Receivers return nothing.
person_erasing = _signals.signal("person-erasing")
