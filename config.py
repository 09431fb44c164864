"""Settings for development, testing and production, read from the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet


def _environ_settings() -> dict[str, Any]:
    """The settings an operator may set through environment variables."""
    env = os.environ
    settings: dict[str, Any] = {}
    if env.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = env["DATABASE_URL"]
    if env.get("SECRET_KEY"):
        settings["SECRET_KEY"] = env["SECRET_KEY"]
    for name in ("MAIL_SERVER", "MAIL_DEFAULT_SENDER", "BASE_URL", "RATELIMIT_STORAGE_URI",
                 "DATA_ENCRYPTION_KEYS"):
        if env.get(name):
            settings[name] = env[name]
    if env.get("MAIL_PORT"):
        settings["MAIL_PORT"] = int(env["MAIL_PORT"])
    if env.get("PROXY_FIX_X_FOR"):
        settings["PROXY_FIX_X_FOR"] = _trusted_proxies(env["PROXY_FIX_X_FOR"])
    for name in ("CLEARANCE_MAX_DOCUMENT_BYTES", "CLEARANCE_GRACE_DAYS", "DOCUMENT_RETENTION_DAYS",
                 "SHARED_CACHE_SECONDS"):
        if env.get(name):
            settings[name] = int(env[name])
    return settings


def _trusted_proxies(value: str) -> int:
    """PROXY_FIX_X_FOR as a count of proxies, refusing anything else at start-up."""
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise RuntimeError(
            f"PROXY_FIX_X_FOR is {value!r}; set it to the number of trusted proxies in front of the "
            "app (1 for one nginx), or 0 when clients connect directly."
        )
    return count


class Config:
    """Defaults shared by every environment."""

    NAME = "base"
    SECRET_KEY: str | None = None
    # Fernet keys, comma-separated, the first of which encrypts passport fields and other
    # sensitive personal data at rest (training/core/crypto.py).
    DATA_ENCRYPTION_KEYS: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: a SQLite file in instance/
    # The ping on checkout is one loopback round trip. Without it the first request after
    # PostgreSQL restarted, or cut a connection, answers 500 (tests/test_database_restart.py). A
    # look at the socket instead (poll(2) for the server's goodbye) was tried and raced: a backend
    # told to terminate has not always closed its socket when the next request checks out, while
    # the ping reaches a backend that already has the signal, which ends it there and then.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    # Feed text each worker keeps per kind (course feeds; symposium, meeting and personal feeds),
    # so that a worker stays within its memory budget however long the courses' schedules are.
    KEPT_FEED_BYTES = 8 * 1024 * 1024
    # Pages and parts of pages each worker keeps per kind (training/core/kept.py), likewise.
    KEPT_PAGE_BYTES = 4 * 1024 * 1024
    # Answers each worker gives again before Flask to the same request while their data stand
    # (training/core/front.py): how many, and the bytes of their bodies (most are the bodies
    # kept above, shared, or a 304's none). 0 answers: none kept.
    FRONT_ANSWERS = 512
    FRONT_ANSWER_BYTES = 4 * 1024 * 1024
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_DEFAULT_SENDER = "Training <training@localhost>"
    MAIL_TIMEOUT = 10
    BASE_URL = "http://127.0.0.1:5000"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_ENABLED = True
    # How many proxies in front of the app to trust for X-Forwarded-For and -Proto (0: none).
    # Behind a proxy every request comes from its address, so per-address limits would
    # count the whole site as one client; trusting more proxies than there are lets a
    # client pick its own address.
    PROXY_FIX_X_FOR = 0
    # Requests larger than this answer 413 before anything reads them; the largest thing
    # anyone sends is the CSV invitation upload (up to 1 MB read) with its form.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    WTF_CSRF_ENABLED = True
    # Checked by training.core.forms.check_tokens_where_forms_post instead, method first.
    WTF_CSRF_CHECK_DEFAULT = False
    # WTForms' own messages ("This field is required.") in the reader's language, from the
    # catalogues WTForms ships.
    WTF_I18N_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # The largest clearance document (passport copy, letter, photo) accepted, in bytes.
    CLEARANCE_MAX_DOCUMENT_BYTES = 10 * 1000 * 1000
    # Days a person enrolled or promoted after a requirement's due date has to meet it.
    CLEARANCE_GRACE_DAYS = 7
    # Days clearance documents are kept after their course's last day; then `flask documents
    # purge` deletes their contents, keeping what was decided on them.
    DOCUMENT_RETENTION_DAYS = 90
    # How long a shared cache in front (nginx, a CDN) may serve the public feeds and the
    # catalogue of visitors without cookies before asking again: what they show may be this
    # late there. Signed-in readers, enrolment and every private answer never go through it.
    SHARED_CACHE_SECONDS = 60
    PASSWORD_RESET_MAX_AGE = 3600
    # How long the link that finishes a sign-up works, in seconds.
    SIGNUP_CONFIRM_MAX_AGE = 86400
    # Werkzeug's generate_password_hash method: scrypt, its default, is slow on purpose.
    PASSWORD_HASH_METHOD = "scrypt"
    # CLI commands and jobs take SQLite's write lock when their transaction begins.
    SQLITE_IMMEDIATE_OUTSIDE_REQUESTS = True
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    STRICT_TRANSPORT_SECURITY = False  # production only: a TLS proxy serves it there

    @classmethod
    def prepare(cls, instance_path: Path, settings: dict[str, Any]) -> None:
        """Fill in what this environment derives at start-up."""


class DevelopmentConfig(Config):
    """Local development: SQLite in instance/, a secret kept in instance/."""

    NAME = "development"
    DEBUG = False

    @classmethod
    def prepare(cls, instance_path: Path, settings: dict[str, Any]) -> None:
        if not settings.get("SECRET_KEY"):
            settings["SECRET_KEY"] = _kept_secret(instance_path / "secret_key", lambda: secrets.token_hex(32))
        if not settings.get("DATA_ENCRYPTION_KEYS"):
            settings["DATA_ENCRYPTION_KEYS"] = _kept_secret(
                instance_path / "data_encryption_key", lambda: Fernet.generate_key().decode()
            )


def _kept_secret(key_file: Path, make: Callable[[], str]) -> str:
    """A secret made once for this machine and kept in instance/, readable by its owner only."""
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(make())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class TestingConfig(Config):
    """The test suite: CSRF stays on; tests that do not post forms opt out."""

    NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-secret"
    DATA_ENCRYPTION_KEYS = "Z1dMm3N0nA2Zq0bJtq5bXxv7wW4j8Zb6yq1D3XkQv0E="
    RATELIMIT_ENABLED = False
    MAIL_SERVER = "127.0.0.1"
    BASE_URL = "http://training.test"
    # One PBKDF2 round: the suite creates and signs in hundreds of accounts, none of them real.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"


class ProductionConfig(Config):
    """Production: refuses to start without a strong SECRET_KEY, BASE_URL and a shared rate-limit store."""

    NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    STRICT_TRANSPORT_SECURITY = True
    BASE_URL = None  # links in mail and feeds must name the real site
    MIN_SECRET_KEY_BYTES = 32

    @classmethod
    def prepare(cls, instance_path: Path, settings: dict[str, Any]) -> None:
        if not settings.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY is not set. Production refuses to start without it: "
                "set the SECRET_KEY environment variable to a long random string."
            )
        if len(str(settings["SECRET_KEY"]).encode()) < cls.MIN_SECRET_KEY_BYTES:
            raise RuntimeError(
                f"SECRET_KEY is shorter than {cls.MIN_SECRET_KEY_BYTES} bytes. Production refuses to "
                "start with it: set SECRET_KEY to e.g. the output of "
                "`python3 -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        if not settings.get("BASE_URL"):
            raise RuntimeError(
                "BASE_URL is not set. Production refuses to start without it, or the links in mail "
                "and calendar feeds would point at 127.0.0.1: set BASE_URL=https://your.site."
            )
        # An in-memory store counts per worker process: with gunicorn -w 4 every limit is
        # four times as loose. gunicorn takes its worker count from WEB_CONCURRENCY, so a
        # single-worker server states it there; any other setup needs a shared store.
        single_worker = os.environ.get("WEB_CONCURRENCY", "").strip() == "1"
        if str(settings.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://") and not single_worker:
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI is memory://, which counts rate limits per worker. Production "
                "refuses to start with it: set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (shared "
                "by every worker), or run a single worker and say so with WEB_CONCURRENCY=1."
            )
        if not settings.get("DATA_ENCRYPTION_KEYS"):
            raise RuntimeError(
                "DATA_ENCRYPTION_KEYS is not set. Production refuses to start without it: passport "
                "fields are encrypted at rest with it. Generate a key with `python3 -c 'from "
                "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'` and keep it "
                "safe: data written with a lost key cannot be read."
            )
        try:
            Fernet(str(settings["DATA_ENCRYPTION_KEYS"]).split(",")[0].strip().encode())
        except ValueError:
            raise RuntimeError(
                "DATA_ENCRYPTION_KEYS does not start with a Fernet key (32 url-safe base64-encoded bytes)."
            ) from None


CONFIGS: dict[str, type[Config]] = {
    c.NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)
}


def resolve(name: str | None, instance_path: Path, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """Build the settings of one environment: class defaults, then environment, then overrides."""
    name = name or os.environ.get("TRAINING_CONFIG", "development")
    try:
        config_class = CONFIGS[name]
    except KeyError:
        raise RuntimeError(
            f"Unknown TRAINING_CONFIG {name!r}; choose one of {', '.join(CONFIGS)}"
        ) from None
    settings = {k: getattr(config_class, k) for k in dir(config_class) if k.isupper()}
    settings.update(_environ_settings())
    settings.update(overrides or {})
    config_class.prepare(instance_path, settings)
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        settings["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'training.sqlite'}"
    return settings
