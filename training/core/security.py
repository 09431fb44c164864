"""The security headers of every answer: pages, API, feeds and files, set in one place."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from werkzeug.datastructures import Headers
from werkzeug.routing import Rule

from training.core.logging import SECRET_VARIABLES

# Pages load scripts and styles from /static only; the few per-page styles that hold
# computed positions (the week grid, a meter) sit in one <style> element with the
# request's nonce. No inline script, no style attribute.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# A page that drew no such <style> element allows none: no nonce to make or to send.
PAGE_POLICY_WITHOUT_NONCE = PAGE_POLICY.replace(" 'nonce-{nonce}'", "")
# JSON, feeds and downloads run nothing and are never framed.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce for a <style> element (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


# Set on every answer, replacing a view's own value (a file's nosniff is the same value).
_ALWAYS = ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")
# Set unless the view chose its own.
_DEFAULTS = ("Cross-Origin-Opener-Policy", "same-origin"),
# Every header set here, as Werkzeug's headers compare names: a view that set none of them (nearly
# every one) gets its answer's share in one go.
_OURS = frozenset(name.lower() for name in (
    "Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
    "Cross-Origin-Opener-Policy", "Strict-Transport-Security"))
# Whether a route's URL holds a secret, per route pattern: found once, asked on every answer.
_secret_urls: dict[str, bool] = {}
# The headers of an answer whose view set none of ours, by its policy (None: a page's, with this
# request's nonce), whether its URL is a secret and whether it is served over TLS.
_whole_sets: dict[tuple[str | None, bool, bool], tuple[tuple[str, str], ...]] = {}


def _url_is_secret(rule: Rule | None) -> bool:
    if rule is None:
        return False
    secret = _secret_urls.get(rule.rule)
    if secret is None:
        secret = _secret_urls[rule.rule] = any(SECRET_VARIABLES.search(name) for name in rule.arguments)
    return secret


def _whole_set(policy: str | None, secret: bool, hsts: bool) -> tuple[tuple[str, str], ...]:
    found = _whole_sets.get((policy, secret, hsts))
    if found is None:
        headers = [] if policy is None else [("Content-Security-Policy", policy)]
        referrer = "no-referrer" if secret else "strict-origin-when-cross-origin"
        headers += [*_ALWAYS, ("Referrer-Policy", referrer), *_DEFAULTS]
        if hsts:
            headers.append(("Strict-Transport-Security", HSTS))
        found = _whole_sets[(policy, secret, hsts)] = tuple(headers)
    return found


def set_security_headers(response: Response) -> Response:
    """Add the headers every answer carries; a view's own Referrer-Policy stays.

    The values are fixed strings (but the nonce of a page that asked for one while it was drawn).
    An answer whose view set none of them, nearly every one, gets the set made once for its kind;
    the others are merged header by header.
    """
    headers = response.headers
    present = set()
    content_type = ""
    # One pass over what the view set, instead of a lookup (and its KeyError) per header.
    for name, value in headers.items():
        name = name.lower()
        present.add(name)
        if name == "content-type":
            content_type = value
    nonce = None
    if content_type.partition(";")[0].strip() != "text/html":
        policy: str | None = OTHER_POLICY
    else:
        nonce = vars(g._get_current_object()).get("csp_nonce")
        policy = PAGE_POLICY_WITHOUT_NONCE if nonce is None else None
    secret = _url_is_secret(request.url_rule)
    hsts = bool(current_app.config["STRICT_TRANSPORT_SECURITY"])
    if present.isdisjoint(_OURS):
        if nonce is not None:
            headers.add("Content-Security-Policy", PAGE_POLICY.format(nonce=nonce))
        headers.extend(_whole_set(policy, secret, hsts))
        return response
    _merge(headers, present, policy or PAGE_POLICY.format(nonce=nonce), secret, hsts)
    return response


def _merge(headers: Headers, present: set[str], policy: str, secret: bool, hsts: bool) -> None:
    """Ours into headers that already hold some of them: each replaced or added, a view's own
    Referrer-Policy and Cross-Origin-Opener-Policy kept (but where the URL is a secret)."""
    additions = []
    for name, value in (("Content-Security-Policy", policy), *_ALWAYS):
        if name.lower() in present:
            headers[name] = value
        else:
            additions.append((name, value))
    if secret:
        # The URL is the secret (RSVP, reset, personal feed), also on its 404 page.
        if "referrer-policy" in present:
            headers["Referrer-Policy"] = "no-referrer"
        else:
            additions.append(("Referrer-Policy", "no-referrer"))
    elif "referrer-policy" not in present:
        additions.append(("Referrer-Policy", "strict-origin-when-cross-origin"))
    additions.extend(header for header in _DEFAULTS if header[0].lower() not in present)
    if hsts:
        if "strict-transport-security" in present:
            headers["Strict-Transport-Security"] = HSTS
        else:
            additions.append(("Strict-Transport-Security", HSTS))
    headers.extend(additions)


def init_app(app: Flask) -> None:
    """Send the headers on every answer; HSTS only where the site is served over TLS."""
    app.config.setdefault("STRICT_TRANSPORT_SECURITY", False)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_security_headers)
