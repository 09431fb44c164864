"""What an enrolment change announces to the features above enrolment, as blinker signals.

Clearance sits above enrolment (it lapses enrolments and so moves seats), so nothing
here imports it: the enrolment services send, and clearance connects at start-up.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Course; session=Session, actor=User | None, via=str, facts=dict | None (what the
# statement that enrolled someone read for the receivers, see services.probe_with_change; None
# for other changes). Sent after an enrolment of the course changed (enrolled, approved,
# withdrawn, rejected), while its quota rows are still locked, so that a receiver moving seats
# runs under the same locks in the same transaction. Receivers return what they changed (a
# list, empty when nothing moved), so that the sender knows whether waitlist places moved.
enrolments_changed = _signals.signal("enrolments-changed")

# sender: the Enrolment (its person loaded); session=Session, viewer=User. Each receiver returns
# a dict of fields that GET /api/v1/enrolments/{id} adds to the enrolment ({"clearance": ...}).
enrolment_details_wanted = _signals.signal("enrolment-details-wanted")

# sender: the Course; session=Session, enrolments=list[Enrolment]. Each receiver returns a dict of
# extra roster CSV columns, {column name: {enrolment id: cell text}}, in a fixed number of queries.
roster_columns_wanted = _signals.signal("roster-columns-wanted")
