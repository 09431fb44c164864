"""Rate limiting checked by the limited routes themselves, and by no other request."""

from __future__ import annotations

from flask import Flask

from training.core.extensions import limiter


def check_limits_only_where_declared(app: Flask) -> None:
    """Take Flask-Limiter's check off the requests of routes that declare no limit.

    Flask-Limiter checks every request twice over: once in a before_request hook, for the
    application-wide, default and blueprint limits, and once in the wrapper of each
    @limiter.limit decorator, for that route's own limits, before its view runs. Every limit
    here is such a decorator, so the hook found nothing to count on any request, yet cost
    about 180 µs on each (resolving limits for the endpoint). It is taken out here, once, after
    every feature registered its routes; a limit that only the hook would enforce makes the
    application refuse to start rather than go unchecked.
    """
    manager = limiter.limit_manager
    # Flask-Limiter keeps blueprint and meta limits in attributes without a public reader.
    hook_only = (manager.application_limits or manager.default_limits or manager._blueprint_limits
                 or limiter._meta_limits)
    if hook_only:
        raise RuntimeError("A default, application, blueprint or meta rate limit is configured: those are "
                           "checked only by Flask-Limiter's before_request hook, which this application "
                           "removes. Declare the limit with @limiter.limit on each route instead.")
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is off
        hooks.remove(limiter._check_request_limit)
