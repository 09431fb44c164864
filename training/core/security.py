"""The security headers of every answer: pages, API, feeds and files, set in one place."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request

from training.core.logging import SECRET_VARIABLES

# Pages load scripts and styles from /static only; the few per-page styles that hold
# computed positions (the week grid, a meter) sit in one <style> element with the
# request's nonce. No inline script, no style attribute.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# JSON, feeds and downloads run nothing and are never framed.
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """This request's nonce for a <style> element (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def set_security_headers(response: Response) -> Response:
    """Add the headers every answer carries; a view's own Referrer-Policy stays."""
    headers = response.headers
    if response.mimetype == "text/html":
        headers["Content-Security-Policy"] = PAGE_POLICY.format(nonce=csp_nonce())
    else:
        headers["Content-Security-Policy"] = OTHER_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    rule = request.url_rule
    if rule is not None and any(SECRET_VARIABLES.search(name) for name in rule.arguments):
        # The URL is the secret (RSVP, reset, personal feed), also on its 404 page.
        headers["Referrer-Policy"] = "no-referrer"
    else:
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Send the headers on every answer; HSTS only where the site is served over TLS."""
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(set_security_headers)
    if app.config.get("STRICT_TRANSPORT_SECURITY"):

        @app.after_request
        def _hsts(response: Response) -> Response:
            response.headers["Strict-Transport-Security"] = HSTS
            return response
