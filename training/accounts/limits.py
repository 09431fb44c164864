"""Rate limits on guessing passwords and on mail to one address, per account as well as per address.

A limit per client address alone lets an attacker who spreads guesses over many addresses
try one account without end; a second limit keyed by the account named in the request
slows that down whatever the addresses. Both live in Flask-Limiter's store, so several
workers sharing Redis (RATELIMIT_STORAGE_URI) share the counts.
"""

from __future__ import annotations

from flask import request
from flask_limiter.util import get_remote_address

# Sign-in and token requests: an address, and separately an account, gets this many tries.
SIGN_IN_PER_ADDRESS = "10/minute"
SIGN_IN_PER_ACCOUNT = "10/minute;50/hour"
# Requests that send mail to the address typed in (sign-up, password reset).
MAIL_PER_ADDRESS = "5/minute"
MAIL_PER_ACCOUNT = "5/hour"


def submitted_account() -> str:
    """The rate-limit key of the account a form or JSON body names: its normalised email.

    A request without an email counts against its client address instead, so leaving the
    field out does not escape the limit.
    """
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    if isinstance(email, str) and email.strip():
        return "account:" + email.strip().lower()
    return "address:" + (get_remote_address() or "")
