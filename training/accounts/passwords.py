"""The password policy: long enough, not a common password, not the person's own name or email."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import ngettext

from training.core.errors import DomainError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
# The 20,000 most common passwords, as compiled by Royce Williams
# (https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce) and shipped by
# Django as django/contrib/auth/common-passwords.txt.gz (BSD-3-Clause, copyright the Django
# Software Foundation and contributors), copied unchanged from the Django 5.2 wheel.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list, lower-cased, read from the package once per process."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def check_password(password: str, *, email: str = "", name: str = "") -> None:
    """Refuse a password that is short, common, or made of the person's email or name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.",
                     MIN_PASSWORD_LENGTH),
            field="password",
        )
    if password.strip().lower() in common_passwords():
        raise DomainError(
            _("This password is on a list of common passwords that attackers try first. "
              "Choose another one."),
            field="password",
        )
    # Attackers who know whom they target try the name and address first: "Jane Doe",
    # jane.doe@example.org refuse "JaneDoe2024!", "jane-family-2024" and "jane.doe@example.org".
    candidate = _letters_and_digits(password)
    local_part = email.partition("@")[0]
    own = [email, local_part, name, *re.split(r"[\W_]+", f"{local_part} {name}")]
    for part in own:
        compact = _letters_and_digits(part)
        if len(compact) >= 4 and candidate and (compact in candidate or candidate in compact):
            raise DomainError(
                _("The password must not contain your name or email address."), field="password"
            )
