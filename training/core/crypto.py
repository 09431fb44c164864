"""Columns encrypted at rest (passport fields and the like) with keys that can rotate.

DATA_ENCRYPTION_KEYS holds Fernet keys separated by commas: the first encrypts, every one
decrypts (cryptography's MultiFernet), so a new key goes first and the old one stays listed
until `flask --app training data rotate-key` has re-encrypted every value with the new one.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


class EncryptionKeyError(RuntimeError):
    """The keys configured cannot encrypt or read the data: an operator's mistake, never a person's."""


def generate_key() -> str:
    """A new random key in the form DATA_ENCRYPTION_KEYS takes."""
    return Fernet.generate_key().decode()


def _configured_keys() -> tuple[str, ...]:
    value = current_app.config.get("DATA_ENCRYPTION_KEYS") or ""
    keys = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(k.strip() for k in keys if k.strip())


@lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise EncryptionKeyError("DATA_ENCRYPTION_KEYS is empty: personal data cannot be encrypted.")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError):
        raise EncryptionKeyError(
            "DATA_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe base64-encoded "
            "bytes); generate one with `python3 -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        ) from None


def keyring() -> MultiFernet:
    """The configured keys, the first of which encrypts."""
    return _keyring(_configured_keys())


def check_keys(keys: str) -> None:
    """Refuse at start-up a DATA_ENCRYPTION_KEYS that holds no valid key."""
    _keyring(tuple(k.strip() for k in keys.split(",") if k.strip()))


def encrypt(text: str) -> str:
    return keyring().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return keyring().decrypt(token.encode()).decode()
    except InvalidToken:
        raise EncryptionKeyError(
            "Encrypted personal data could not be read with any key in DATA_ENCRYPTION_KEYS: the key "
            "it was written with is missing (list the old key after the new one until "
            "`flask --app training data rotate-key` has run)."
        ) from None


class EncryptedText(sa.TypeDecorator[str]):
    """Text stored as a Fernet token: the database, its files and its dumps never hold it in clear."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedDate(sa.TypeDecorator[date]):
    """A date stored encrypted (a date of birth is as telling as a passport number)."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: date | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value.isoformat())

    def process_result_value(self, value: str | None, dialect: Dialect) -> date | None:
        return None if value is None else date.fromisoformat(decrypt(value))


def encrypted_columns(metadata: sa.MetaData) -> list[tuple[sa.Table, list[sa.Column[Any]]]]:
    """Every table with encrypted columns, and those columns."""
    found = []
    for table in metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, EncryptedText | EncryptedDate)]
        if columns:
            found.append((table, columns))
    return found


def rotate(session: Session, metadata: sa.MetaData) -> dict[str, int]:
    """Re-encrypt every encrypted value with the first key; rows rewritten per table.

    Reads and writes the stored tokens as they are (no decoding into values), so a value is
    decrypted with whichever key wrote it and encrypted again with the first.
    """
    ring = keyring()
    counts: dict[str, int] = {}
    for table, columns in encrypted_columns(metadata):
        pk = list(table.primary_key.columns)[0]
        raw = [sa.type_coerce(c, sa.Text).label(c.name) for c in columns]
        rows = session.execute(sa.select(pk.label("pk"), *raw)).all()
        for row in rows:
            values = {}
            for c in columns:
                token = getattr(row, c.name)
                if token is not None:
                    try:
                        values[c.name] = ring.rotate(token.encode()).decode()
                    except InvalidToken:
                        raise EncryptionKeyError(
                            f"A value in {table.name}.{c.name} could not be read with any key in "
                            "DATA_ENCRYPTION_KEYS: nothing was re-encrypted. List the key it was "
                            "written with after the new one."
                        ) from None
            if values:
                session.execute(
                    sa.update(table).where(pk == row.pk).values(
                        {table.c[name]: sa.literal(v, sa.Text) for name, v in values.items()}
                    )
                )
        counts[table.name] = len(rows)
    session.flush()
    return counts
