"""The feed routes (/calendar/...) and the personal feed's address on the profile."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from training.accounts import tokens
from training.calendar import services
from training.calendar.forms import FeedTokenForm
from training.core.caching import echoes_etag, share, shared_cache_control
from training.core.confirm import Confirmation, show_confirmation
from training.core.database import utcnow
from training.core.extensions import db
from training.core.forms import ConfirmForm
from training.core.front import Standing, offer
from training.core.headers import attachment
from training.core.uow import unit_of_work

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
# A private feed's address is its owner's secret: never sent on as a referrer, never indexed.
_PRIVATE_FEED_HEADERS = (("Referrer-Policy", "no-referrer"), ("X-Robots-Tag", "noindex"))


def _serve(feed: services.Feed, *, private: bool, filename: str,
           standing: Standing | None = None) -> Response:
    """The feed with validators, answering 304 to a client that already has it.

    standing: what the feed stands on, for the same request to be answered again before Flask
    (training.core.front); None where the feed does not say.
    """
    offer(standing)
    last_modified, changed = services.served_state(db.session, feed)
    if changed:
        # End the read transaction so that the write begins one of its own: SQLite then
        # waits for its write lock instead of failing on a snapshot that went stale.
        db.session.rollback()
        services.record_served(db.session, feed, last_modified)
        db.session.commit()
    not_modified = _not_modified(feed, private=private)
    if not_modified is not None:
        return not_modified
    if feed.compressed and request.accept_encodings["gzip"]:
        response = Response(feed.kept_text, mimetype="text/calendar")
        response.content_encoding = "gzip"
        # Each encoding is its own representation, with a strong ETag of its own.
        response.set_etag(f"{feed.etag}-gzip")
    else:
        response = Response(feed.body, mimetype="text/calendar")
        response.set_etag(feed.etag)
    # Shared caches keep one answer per encoding and give each client the one it asked for.
    response.vary.add("Accept-Encoding")
    response.last_modified = last_modified
    if private:
        # Its owner's client revalidates every time; a 304 costs about what a trivial page costs.
        response.cache_control.no_cache = True
        response.cache_control.private = True
        response.headers.extend(_PRIVATE_FEED_HEADERS)
    else:
        # The same for everyone: a shared cache in front answers the pollers for a minute.
        share(response)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = attachment(filename)
    return response.make_conditional(request)


def _not_modified(feed: services.Feed, *, private: bool) -> Response | None:
    """The 304 for a poller that sends back the very ETag it was given, as make_conditional
    would answer it, without drawing the 200 first; None for any other request.

    A calendar polls every few minutes and echoes the ETag it holds, and nearly every answer
    is this one: it carries the validator, Vary and Cache-Control of the 200 it stands for
    (RFC 9110, 15.4.5) and no entity header, which is what Werkzeug leaves of that 200.
    Any other condition (a list of tags, a weak tag, a date) takes the general path.
    """
    if "If-None-Match" not in request.headers or request.args.get("download"):
        return None
    gzipped = feed.compressed and bool(request.accept_encodings["gzip"])
    etag = f"{feed.etag}-gzip" if gzipped else feed.etag
    if not echoes_etag(etag):
        return None
    headers = [("ETag", f'"{etag}"'), ("Vary", "Accept-Encoding")]
    if private:
        headers += [("Cache-Control", "no-cache, private"), *_PRIVATE_FEED_HEADERS]
    else:
        headers.append(("Cache-Control", shared_cache_control()))
    headers.append(("Date", http_date()))
    return Response(status=304, headers=headers)


@bp.get("/courses.ics")
def courses_feed() -> Response:
    feed, standing = services.public_courses_feed(db.session, utcnow())
    return _serve(feed, private=False, filename="courses.ics", standing=standing)


@bp.get("/courses/<slug>.ics")
def course_feed(slug: str) -> Response:
    feed, standing = services.course_sessions_feed(db.session, slug)
    return _serve(feed, private=False, filename=f"{slug}.ics", standing=standing)


@bp.get("/symposia/<slug>.ics")
def symposium_feed(slug: str) -> Response:
    feed = services.symposium_feed(db.session, slug, utcnow())
    return _serve(feed, private=False, filename=f"{slug}.ics")


@bp.get("/meetings/<slug>.ics")
def meeting_feed(slug: str) -> Response:
    # Private: the address is the participants' to know (it carries a random part), like a personal feed.
    return _serve(services.meeting_feed(db.session, slug), private=True, filename=f"{slug}.ics")


@bp.get("/feeds/<token>.ics")
def personal_feed(token: str) -> Response:
    now = utcnow()
    # A calendar polling an unchanged feed costs one read of versions; anything else looks the
    # token up again.
    kept = services.kept_personal_feed(db.session, token, now)
    if kept is not None:
        feed, standing = kept
        return _serve(feed, private=True, filename="training.ics", standing=standing)
    user = tokens.user_for_feed_token(db.session, token)
    if user is None:
        abort(404)
    return _serve(services.personal_feed(db.session, user, now), private=True, filename="training.ics")


@bp.after_request
def _no_referrer_for_tokens(response: Response) -> Response:
    # Also on a 404, whose page links elsewhere: the URL it answers holds a (dead) token.
    if request.endpoint in ("calendar.personal_feed", "calendar.meeting_feed"):
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/feed-token", methods=["GET", "POST"])
@login_required
def replace_token() -> Response | tuple[str, int]:
    """Create the signed-in person's personal feed address, or replace it once they confirm.

    Creating one breaks nothing; replacing one cuts off every calendar subscribed to it.
    """
    profile = url_for("accounts.profile") + "#calendar"
    live = tokens.feed_token(db.session, current_user) is not None
    form = ConfirmForm() if live else FeedTokenForm()
    if live and not form.confirmed:
        return show_confirmation(Confirmation(
            question=_("Replace your calendar address?"),
            action_label=_("Replace the address"), keep_label=_("Keep the address"),
            back_url=form.back(profile),
            consequences=[
                _("The current address stops working at once; calendars subscribed to it must "
                  "subscribe again."),
                _("Do this if the address leaked: anyone who has it can see your calendar."),
            ],
        ), form)
    if request.method != "POST":
        return redirect(profile)
    if form.validate_on_submit():
        with unit_of_work():
            tokens.replace_feed_token(db.session, current_user)
        flash(_("Your calendar has a new address. Subscribe again with it: the old one no longer works."),
              "success")
    else:
        flash(_("The form expired. Please try again."), "error")
    return redirect(form.back(profile) if live else profile)


def subscribe_links(feed_url: str) -> dict[str, str]:
    """The https:// address of a feed, its webcal:// twin and its one-off download."""
    scheme, _sep, rest = feed_url.partition("://")
    return {
        "https": feed_url,
        "webcal": f"webcal://{rest}",
        "download": f"{feed_url}?download=1",
    }


def personal_feed_url() -> str | None:
    """The signed-in person's personal feed URL, or None if they have not created one."""
    if not current_user.is_authenticated:
        return None
    return services.personal_feed_url(db.session, current_user)
