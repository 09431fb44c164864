"""What shared caches (nginx, a CDN) may keep: public pages and feeds, never a visitor's own answer."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Request, Response


def visitor_without_cookies() -> bool:
    """Whether the request carries no session and no remember-me cookie.

    Such a visitor is anonymous and has nothing of their own in the session (no message
    waiting, no form token), so a page drawn for them is the page every such visitor gets.
    """
    config = current_app.config
    return not (request.cookies.get(config["SESSION_COOKIE_NAME"])
                or request.cookies.get(config.get("REMEMBER_COOKIE_NAME", "remember_token")))


@dataclass(frozen=True)
class SignedIn:
    """A signed-in reader as their session cookie names them, before anything reads their account."""

    user_id: int
    login_id: str  # Flask-Login's id in the session: the account's id and session version
    form_token: str  # the session's own CSRF token, which every form on their pages is signed from


# What a session holds when nothing but its sign-in and form token is in it. Anything more (a
# message waiting, a remember-me cookie to set or clear) belongs to this one request.
_READER_SESSION_KEYS = frozenset({"_user_id", "_fresh", "_id"})


def signed_in_reader() -> SignedIn | None:
    """The reader a session cookie that holds a sign-in and a form token, and nothing else, names.

    Whether that sign-in is still alive is for their account to say (the session version):
    a page kept for them stands for it only while their account is unchanged (kept.ReaderPage).
    """
    config = current_app.config
    # A form token with an age limit would grow stale in a page kept for its session.
    if not request.cookies.get(config["SESSION_COOKIE_NAME"]) or config.get("WTF_CSRF_TIME_LIMIT", 3600):
        return None
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    login_id, form_token = session.get("_user_id"), session.get(field)
    if not (isinstance(login_id, str) and isinstance(form_token, str)):
        return None
    if not session.keys() <= _READER_SESSION_KEYS | {field}:
        return None
    user_id, _sep, _version = login_id.partition(":")
    return SignedIn(int(user_id), login_id, form_token) if user_id.isdigit() else None


def draw_for_everyone() -> None:
    """The page being drawn is shared: its forms carry no token tied to this visitor's session."""
    g.shared_page = True


def shared_page() -> bool:
    """Whether the page being drawn was declared shared by its view."""
    return bool(g.get("shared_page"))


def shared_cache_control(*, revalidate_in_browsers: bool = False) -> str:
    """The Cache-Control that share() gives an answer which had none of its own."""
    seconds = current_app.config["SHARED_CACHE_SECONDS"]
    if revalidate_in_browsers:
        return f"public, max-age=0, s-maxage={seconds}"
    return f"public, max-age={seconds}"


def echoes_etag(etag: str) -> bool:
    """Whether the request's only condition is If-None-Match holding exactly the strong etag,
    as a client that kept an answer sends it back: the 304 may then be written out directly.
    Any other condition (a list, a weak tag, a date) is for make_conditional to weigh."""
    return request.headers.get("If-None-Match") == f'"{etag}"' and "If-Modified-Since" not in request.headers


def share(response: Response, *, revalidate_in_browsers: bool = False) -> Response:
    """Mark response as one that shared caches may keep for SHARED_CACHE_SECONDS, with a strong ETag.

    revalidate_in_browsers: a browser asks again each time (max-age=0) while shared caches keep
    the page (s-maxage), because the same browser may sign in or switch language a second later
    and must then see its own page, which a shared cache never serves to it (its cookies bypass
    the cache).
    """
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = shared_cache_control(
            revalidate_in_browsers=revalidate_in_browsers)
    else:
        seconds = current_app.config["SHARED_CACHE_SECONDS"]
        cache_control = response.cache_control
        cache_control.no_cache = None
        cache_control.private = None
        cache_control.no_store = None
        cache_control.public = True
        if revalidate_in_browsers:
            cache_control.max_age = 0
            cache_control.s_maxage = seconds
        else:
            cache_control.max_age = seconds
    if not response.get_etag()[0]:
        response.add_etag()
    return response


def _public(response: Response) -> bool:
    """Whether response's Cache-Control holds the directive public.

    Its directives split on commas: public takes no value, and a quoted value holding a comma
    leaves pieces that are never the bare word. Werkzeug's parse, and the object it builds for
    every answer a visitor gets, are not needed to tell.
    """
    value = response.headers.get("Cache-Control")
    return bool(value) and any(directive.strip().lower() == "public" for directive in value.split(","))


def _vary_on_cookie(response: Response) -> None:
    """Add Cookie to Vary; an answer without Vary yet (most) gets the header as it is, without
    Werkzeug's parsing and writing back of a header set."""
    if "Vary" in response.headers:
        response.vary.add("Cookie")
    else:
        response.headers["Vary"] = "Cookie"


# Each worker remembers at most this many verified cookies (each a few hundred bytes).
_VERIFIED_COOKIES = 2048
_PLAIN_VALUES = (str, int, float, bool, type(None))


# Where an opened session notes when its cookie stops being accepted (see session_ends).
_ENDS = "_training_cookie_ends"


def _signed_at(opened: SecureCookieSession, seconds: int, max_age: int) -> SecureCookieSession:
    setattr(opened, _ENDS, seconds + max_age + 1)
    return opened


def session_ends() -> datetime | None:
    """When the cookie that carried this request's session stops being accepted (its signature
    then older than PERMANENT_SESSION_LIFETIME); None without one."""
    ends = getattr(session._get_current_object(), _ENDS, None)
    return None if ends is None else datetime.fromtimestamp(ends, UTC)


class SharedCacheSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, which leaves public answers without Set-Cookie or Vary: Cookie.

    Flask adds Vary: Cookie to every answer whose request looked at the session, which
    Flask-Login does on every request; a shared cache then keeps one copy per cookie, that is,
    none worth keeping. A public answer does not depend on the session by construction. Should
    one have stored something in the session all the same, it is made private instead of
    handing that visitor's cookie to a cache.
    """

    def __init__(self) -> None:
        self._serializer: tuple[Any, URLSafeTimedSerializer | None] = (None, None)
        # Cookies verified lately, by their exact text: when each was signed, and what it holds.
        self._verified: dict[str, tuple[int, tuple[tuple[str, Any], ...]]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds the serializer anew for every request; it depends on the keys alone.
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        built_for, serializer = self._serializer
        if built_for != keys:
            serializer = super().get_signing_serializer(app)
            self._serializer = (keys, serializer)
            self._verified = {}  # verified under other keys
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The session the request's cookie holds; empty without one, or with one that is forged
        or older than PERMANENT_SESSION_LIFETIME.

        A signed-in reader sends the same cookie with every request, and checking its signature
        costs more than anything else in opening it. A cookie whose signature was checked lately
        is known by its exact text, which no one can forge without the key, and its age is
        checked again each time. Only a session of plain values (a sign-in, a form token) is
        kept so: one holding a list or a mapping (messages waiting) could be changed in place by
        its request.
        """
        # A request without the cookie (a feed poller, a monitor, a first visit) gets an empty
        # session at once, without a parse of no cookies; the signing serializer is built only
        # for a cookie to read.
        cookie = request.cookies.get(self.get_cookie_name(app)) if "HTTP_COOKIE" in request.environ else None
        if not cookie:
            return None if not app.secret_key else self.session_class()
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(cookie)
        if known is not None:
            age = int(time.time()) - known[0]
            if not 0 <= age <= max_age:
                return self.session_class()
            return _signed_at(self.session_class(known[1]), known[0], max_age)
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        seconds = int(signed_at.timestamp())
        if all(isinstance(value, _PLAIN_VALUES) for value in data.values()):
            if len(self._verified) >= _VERIFIED_COOKIES:
                self._verified.clear()
            self._verified[cookie] = (seconds, tuple(data.items()))
        return _signed_at(self.session_class(data), seconds, max_age)

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        if not session and not session.modified:
            # Nothing to write or to delete, and no cookie came in: Flask's own save would
            # only add Vary: Cookie when the session was looked at.
            if session.accessed and not _public(response):
                _vary_on_cookie(response)
            return
        if _public(response):
            if not session.modified:
                return
            response.cache_control.public = None
            response.cache_control.s_maxage = None
            response.cache_control.max_age = None
            response.cache_control.private = True
            response.cache_control.no_cache = True
        super().save_session(app, session, response)


# What an answer that says nothing about caching gets: only the answers marked public are
# meant for a shared cache, which may otherwise keep an answer under heuristics.
PRIVATE_BY_DEFAULT = "private, no-cache"


def _private_unless_said(response: Response) -> Response:
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = PRIVATE_BY_DEFAULT
    return response


def init_app(app: Flask) -> None:
    """Install the session interface and the default of private answers."""
    app.session_interface = SharedCacheSessionInterface()
    app.after_request(_private_unless_said)
    app.jinja_env.globals["shared_page"] = shared_page
