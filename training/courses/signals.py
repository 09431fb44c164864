"""What a course asks of the features above it, as blinker signals that those features answer.

Courses sit below enrolment (an enrolment names a course), so nothing here imports it.
Where the catalogue or a course change needs the people on a course, courses sends a
signal and the receivers that enrolment connects at start-up answer; with no receiver
the answer is empty.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Session; course_ids=list[int]. Each receiver returns {course_id: SeatSummary}.
seat_summaries_wanted = _signals.signal("seat-summaries-wanted")

# sender: the Course; session=Session. Each receiver returns the people (User) on the course
# who should hear of a change to it.
participants_wanted = _signals.signal("participants-wanted")
