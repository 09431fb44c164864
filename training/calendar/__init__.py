"""Calendar feeds: every course, one course's sessions, a symposium, one person's own feed,
their ETags, the subscribe box, and /api/v1/me with the person's feed address."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the blueprint, the template helpers, and keep feed tokens out of logs."""
    from training.accounts.signals import person_export_wanted
    from training.calendar import api
    from training.calendar.services.personal import export_personal_feed
    from training.calendar.views import bp, personal_feed_url, subscribe_links
    from training.core.api import register_api

    # The feed token itself belongs to the account: the erasure deletes it there.
    person_export_wanted.connect(export_personal_feed)
    app.register_blueprint(bp)
    register_api(api.blp)
    app.jinja_env.globals["calendar_links"] = subscribe_links
    app.jinja_env.globals["personal_feed_url"] = personal_feed_url
