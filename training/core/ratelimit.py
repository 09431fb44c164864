"""Rate limiting checked by the limited routes themselves, and by no other request."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from flask import Flask
from flask.globals import request_ctx

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
    _after_limited_requests_only(app)


def _limit_was_checked() -> bool:
    # Flask-Limiter keeps a request's state (the limit to report in headers, deductions still to
    # make) on the request context, made when one of its limits is first checked.
    return "_limiter_request_context" in vars(request_ctx._get_current_object())


def _only_if_a_limit_was_checked(hook: Callable[[Any], Any], *, passes_on: bool) -> Callable[[Any], Any]:
    @wraps(hook)
    def run(value: Any) -> Any:
        if _limit_was_checked():
            return hook(value)
        return value if passes_on else None

    return run


def _after_limited_requests_only(app: Flask) -> None:
    """Flask-Limiter's after_request (rate-limit headers, conditional deductions) and teardown
    (its per-request state) have nothing to do on a request that checked no limit: most of them.
    """
    after = app.after_request_funcs.get(None, [])
    for position, hook in enumerate(after):
        if isinstance(hook, partial) and hook.args[:1] == (limiter,):
            after[position] = _only_if_a_limit_was_checked(hook, passes_on=True)
    teardown = app.teardown_request_funcs.get(None, [])
    for position, hook in enumerate(teardown):
        if getattr(hook, "__self__", None) is limiter:
            teardown[position] = _only_if_a_limit_was_checked(hook, passes_on=False)
