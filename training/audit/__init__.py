"""The audit trail: who changed what, when, with the state before and after."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the table, and the template helper that reads entries as sentences."""
    from training.audit import models  # noqa: F401  (register the table)
    from training.audit.readable import readable
    from training.core.extensions import db

    def audit_sentences(entries: list[models.AuditEntry]) -> list[object]:
        """The entries of templates/audit/_entries.html as sentences, names loaded once per kind."""
        return list(readable(db.session, entries))

    app.jinja_env.globals.update(audit_sentences=audit_sentences)
