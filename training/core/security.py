"""The security headers of every answer: pages, API, feeds and files, set in one place."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

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
# Whether a route's URL holds a secret, per route pattern: found once, asked on every answer.
_secret_urls: dict[str, bool] = {}


def _url_is_secret() -> bool:
    rule = request.url_rule
    if rule is None:
        return False
    secret = _secret_urls.get(rule.rule)
    if secret is None:
        secret = _secret_urls[rule.rule] = any(SECRET_VARIABLES.search(name) for name in rule.arguments)
    return secret


def set_security_headers(response: Response) -> Response:
    """Add the headers every answer carries; a view's own Referrer-Policy stays.

    The values are fixed strings (but the nonce of a page that asked for one while it was drawn):
    each answer only looks up which of them its view already set, once.
    """
    headers = response.headers
    present = {key.lower() for key in headers.keys()}
    if response.mimetype != "text/html":
        policy = OTHER_POLICY
    elif "csp_nonce" in g:
        policy = PAGE_POLICY.format(nonce=g.csp_nonce)
    else:
        policy = PAGE_POLICY_WITHOUT_NONCE
    additions = []
    for name, value in (("Content-Security-Policy", policy), *_ALWAYS):
        if name.lower() in present:
            headers[name] = value
        else:
            additions.append((name, value))
    if _url_is_secret():
        # The URL is the secret (RSVP, reset, personal feed), also on its 404 page.
        if "referrer-policy" in present:
            headers["Referrer-Policy"] = "no-referrer"
        else:
            additions.append(("Referrer-Policy", "no-referrer"))
    elif "referrer-policy" not in present:
        additions.append(("Referrer-Policy", "strict-origin-when-cross-origin"))
    additions.extend(header for header in _DEFAULTS if header[0].lower() not in present)
    if current_app.config["STRICT_TRANSPORT_SECURITY"]:
        if "strict-transport-security" in present:
            headers["Strict-Transport-Security"] = HSTS
        else:
            additions.append(("Strict-Transport-Security", HSTS))
    headers.extend(additions)
    return response


def init_app(app: Flask) -> None:
    """Send the headers on every answer; HSTS only where the site is served over TLS."""
    app.config.setdefault("STRICT_TRANSPORT_SECURITY", False)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_security_headers)
