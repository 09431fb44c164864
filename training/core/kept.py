"""Pages and parts of pages kept per worker under the data versions they were drawn from.

A kept value is reused while the versions of its scopes are those it was drawn under: one
primary-key read (training.core.versions) stands for every query and all the drawing behind
it, and the reuse is exact because what is kept follows from those scopes and its key alone.

What keeps the reuse exact is the order of reads when drawing: the versions are read before
the rows they stand for (Drawing.read_versions), so that a change committed in between leaves
a kept value older than its versions say, which the next request draws again, and never a
value newer data would have drawn differently kept under the new versions.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import blake2b
from typing import Any

from flask import current_app, g, request, session
from flask_login import current_user
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from training.core.caching import (
    SignedIn,
    draw_for_everyone,
    echoes_etag,
    session_ends,
    share,
    shared_cache_control,
    signed_in_reader,
)
from training.core.database import utcnow
from training.core.extensions import db
from training.core.front import offer
from training.core.i18n import LOCALE_COOKIE
from training.core.memo import FingerprintCache, app_cache
from training.core.versions import (
    PERSON,
    Scope,
    Seal,
    Unsettled,
    Version,
    seal,
    standing,
    unchanged,
    versions,
)


@dataclass(frozen=True)
class Kept:
    """A value and the scopes and versions it was drawn from (sealed: checked in one read)."""

    value: Any
    scopes: tuple[Scope, ...]
    drawn_under: tuple[Version, ...]
    sealed: Seal
    size: int = 0
    settled = True  # kept values never hold a version the reading transaction changed


@dataclass
class Drawing:
    """The scopes a value is being drawn from, each version read before its rows."""

    scopes: list[Scope] = field(default_factory=list)
    drawn_under: list[Version] = field(default_factory=list)

    def read_versions(self, *scopes: Scope) -> None:
        """Read the versions of scopes now, before the rows they stand for are read."""
        self.add(scopes, versions(db.session, scopes))

    def add(self, scopes: Sequence[Scope], drawn_under: Sequence[Version]) -> None:
        """Scopes whose versions the caller read itself (before their rows)."""
        self.scopes += scopes
        self.drawn_under += drawn_under

    @property
    def settled(self) -> bool:
        """Whether the value may be kept: no scope is changed by the reading transaction itself."""
        return not any(isinstance(v, Unsettled) for v in self.drawn_under)


def kept_values(name: str, size: int) -> FingerprintCache:
    """The worker's kept values called name: at most size of them, and KEPT_PAGE_BYTES of their sizes."""
    return app_cache(name, size, current_app.config["KEPT_PAGE_BYTES"], weigh=lambda kept: kept.size)


def reuse(cache: FingerprintCache, key: Hashable) -> Kept | None:
    """What is kept under key if its scopes are at the versions it was drawn under (one read)."""
    kept: Kept | None = cache.latest(key)
    if kept is None or not unchanged(db.session, kept.sealed):
        return None
    return kept


def keep(cache: FingerprintCache, key: Hashable, drawn_from: Drawing | Kept, value: Any,
         size: int) -> Seal | None:
    """Keep value, drawn from what drawn_from read, under key; unless the reading transaction itself
    changed one of its scopes, or the drawing took this answer's CSP nonce, which no other answer
    may reuse (training/core/security.py). The seal it is kept under; None when not kept."""
    sealed = seal(drawn_from.scopes, drawn_from.drawn_under) if drawn_from.settled else None
    if sealed is None or "csp_nonce" in g:
        return None
    cache.put(key, None, Kept(value, tuple(drawn_from.scopes), tuple(drawn_from.drawn_under), sealed, size))
    return sealed


@dataclass(frozen=True)
class PublicPage:
    """A whole page every visitor without cookies gets, ready to answer."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> PublicPage:
        return cls(body, blake2b(body, digest_size=16).hexdigest())


def answer(page: PublicPage) -> Response:
    """page as a response shared caches may keep (a 304 when the visitor holds it already).

    A request with no condition, or with the very ETag the page was sent with, is answered
    with the headers make_conditional would leave, written out; any other condition goes
    through make_conditional.
    """
    held = echoes_etag(page.etag)
    if held or not ("If-None-Match" in request.headers or "If-Modified-Since" in request.headers):
        response = current_app.response_class(page.body, status=304 if held else 200, headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(page.body))),
            ("ETag", f'"{page.etag}"'),
            # The language follows Accept-Language, or the locale cookie (part of a cache's key).
            ("Vary", "Accept-Language"),
            ("Cache-Control", shared_cache_control(revalidate_in_browsers=True)),
            ("Date", http_date()),
        ])
        return response
    response = current_app.response_class(page.body, mimetype="text/html")
    response.set_etag(page.etag)
    response.vary.add("Accept-Language")
    share(response, revalidate_in_browsers=True)
    return response.make_conditional(request)


def answer_kept(pages: FingerprintCache, key: Hashable, until: datetime | None = None) -> Response | None:
    """For a visitor without cookies: the whole page kept under key, answered, while its versions
    are unchanged; otherwise None, and the page drawn next is declared one every such visitor gets.

    until: when the clock alone moves the page to another key (the catalogue's day), if ever.
    """
    kept = reuse(pages, key)
    if kept is not None:
        # The same request again is answered before Flask, on the same seal (training.core.front).
        offer(standing(db.session, kept.sealed, until))
        return answer(kept.value)
    draw_for_everyone()
    return None


def keep_and_answer(pages: FingerprintCache, key: Hashable, drawn_from: Drawing | Kept,
                    page: str, until: datetime | None = None) -> Response:
    """Keep page, drawn for every visitor without cookies from what drawn_from read, and answer it
    (until: as for answer_kept)."""
    whole_page = PublicPage.of(page.encode())
    sealed = keep(pages, key, drawn_from, whole_page, len(whole_page.body))
    offer(standing(db.session, sealed, until))
    return answer(whole_page)


def page_key(*parts: Hashable) -> tuple[Hashable, ...]:
    """A kept page's key: parts, and the address as asked, which the language switch sends back."""
    here = request.full_path if request.query_string else request.path
    return (*parts, request.script_root, here)


def drawn_until(instant: datetime | None) -> None:
    """What the page being drawn shows changes by the clock alone at instant (None: never), with
    no data changing (an enrolment window closing): a page kept for a reader lasts until then."""
    if instant is not None and ("drawn_until" not in g or instant < g.drawn_until):
        g.drawn_until = instant


class ReaderPage:
    """A whole page kept for one signed-in reader's session, under the versions of what it shows
    and of their account.

    The account's version stands for the session too: every change to the account raises it
    (training.accounts.models), a sign-out everywhere or a new password among them, so that
    while it is unchanged the session the page was drawn for is still alive, and the page is
    answered after one read of the versions without loading the account. What else picks the
    page's language (the browser's, the locale cookie) is part of its key.
    """

    def __init__(self, pages: FingerprintCache, reader: SignedIn, *parts: Hashable) -> None:
        self.pages, self.reader = pages, reader
        here = request.full_path if request.query_string else request.path
        self.key = (*parts, reader.login_id, reader.form_token, request.headers.get("Accept-Language"),
                    request.cookies.get(LOCALE_COOKIE), request.script_root, here)
        self.drawing = Drawing()
        self.keepable = False

    @classmethod
    def of(cls, name: str, size: int, *parts: Hashable) -> ReaderPage | None:
        """The page called name for the signed-in reader of this request, if there is one."""
        reader = signed_in_reader()
        return cls(kept_values(name, size), reader, *parts) if reader is not None else None

    def kept(self) -> Response | None:
        """The page kept for this session while nothing it shows changed; else None, and the
        account's version read, before Flask-Login loads the account for the page drawn next."""
        kept = reuse(self.pages, self.key)
        if kept is not None:
            body, until = kept.value
            if until is None or utcnow() < until:
                self._offer(kept.sealed, until)
                return current_app.response_class(body, mimetype="text/html")
        # Read after the account, the version could be one a sign-out everywhere raised in
        # between, and would keep the page of a dead session as alive.
        if "_login_user" not in g:
            self.drawing.read_versions((PERSON, self.reader.user_id))
            self.keepable = True
        return None

    def keep(self, drawn_from: Drawing | Kept, page: str) -> None:
        """Keep page, drawn from what drawn_from read, if it was drawn for the session the reader
        holds (their account loaded, under the version read before it) and left that session as
        it came."""
        if self.keepable and current_user.get_id() == self.reader.login_id and not session.modified:
            self.drawing.add(drawn_from.scopes, drawn_from.drawn_under)
            body = page.encode()
            until = g.get("drawn_until")
            self._offer(keep(self.pages, self.key, self.drawing, (body, until), len(body)), until)

    @staticmethod
    def _offer(sealed: Seal | None, until: datetime | None) -> None:
        """The same request, its cookie and all, answered again before Flask (training.core.front)
        while the page stands, and no longer than the session cookie is accepted."""
        ends = session_ends()
        if ends is not None:
            offer(standing(db.session, sealed, ends if until is None else min(until, ends)))
