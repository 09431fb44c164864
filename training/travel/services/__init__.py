"""The travel services: forms (read, saved, locked), the host's lists, and personal data care."""

from training.travel.services.access import may_read_form
from training.travel.services.forms import (
    lock_travel_form,
    read_travel_form,
    save_travel_form,
    stored_form,
    unlock_travel_form,
)
from training.travel.services.lists import (
    Participant,
    arrivals,
    arrivals_and_waiting,
    course_days,
    needs_by_day,
    overview_scope,
    participants,
    rooming,
    session_with_instructors,
    sign_in_sheet,
    visa_list,
)
from training.travel.services.personal import erase_travel, export_travel, purge_travel_forms
from training.travel.services.validation import REQUIRED_FOR_COMPLETE, TravelSpec, missing_fields

__all__ = [
    "REQUIRED_FOR_COMPLETE", "Participant", "TravelSpec", "arrivals", "arrivals_and_waiting", "course_days",
    "erase_travel",
    "export_travel", "lock_travel_form", "may_read_form", "missing_fields", "needs_by_day",
    "overview_scope", "participants", "purge_travel_forms", "read_travel_form", "rooming", "save_travel_form",
    "session_with_instructors", "sign_in_sheet", "stored_form", "unlock_travel_form", "visa_list",
]
