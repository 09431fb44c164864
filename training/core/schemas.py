"""Schemas shared by every API resource: problems, pagination, and fields as strict as the document."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import marshmallow as ma
from flask_babel import gettext as _

from training.core import i18n

# The widest integers the database columns hold, and the span of dates the app reasons
# about: beyond them, time arithmetic overflows and PostgreSQL refuses the value.
MAX_INT = 2_147_483_647
FIRST_YEAR, LAST_YEAR = 1970, 2999

# Control characters (C0, DEL, C1) and lone surrogates: PostgreSQL refuses NUL and the
# encoder refuses surrogates, and none of them belongs in a name or a note. Multi-line
# text keeps tab and line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control_characters(text: str, *, multiline: bool = False) -> bool:
    """Whether text holds a character no field stores (tab and line breaks are fine in multiline text)."""
    return (_CONTROL_IN_MULTILINE if multiline else _CONTROL).search(text) is not None


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    def __deepcopy__(self, memo: dict[int, Any]) -> ProblemSchema:
        # flask-smorest deep-copies a view's documentation at every decorator and again for every
        # application built, and each operation documents this schema once per error status: copying
        # it cost most of create_app's time. Nothing changes a schema once built, so one serves all.
        return self

    type = ma.fields.String(metadata={"example": "about:blank"})
    title = ma.fields.String(required=True, metadata={"example": "Unprocessable Content"})
    status = ma.fields.Integer(required=True, metadata={"example": 422})
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Raw(),
        metadata={"description": "Messages per field, for validation errors"},
    )


class Text(ma.fields.String):
    """A string without control characters, at most max_length long; multiline allows tab and line breaks."""

    def __init__(self, max_length: int, *, min_length: int = 0, multiline: bool = False,
                 **kwargs: Any) -> None:
        validators = [ma.validate.Length(min=min_length, max=max_length)]
        self.multiline = multiline
        super().__init__(validate=validators + list(kwargs.pop("validate", [])), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if has_control_characters(text, multiline=self.multiline):
            raise ma.ValidationError(_("Remove the control characters (such as NUL) from this text."))
        return text


class StrictInteger(ma.fields.Integer):
    """A JSON integer in the database's range: no strings, floats or booleans."""

    def __init__(self, *, minimum: int = 0, maximum: int = MAX_INT, **kwargs: Any) -> None:
        super().__init__(strict=True, validate=ma.validate.Range(min=minimum, max=maximum), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(ma.fields.Boolean):
    """A JSON true or false, nothing that merely looks like one."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Day(ma.fields.Date):
    """An ISO 8601 date between FIRST_YEAR and LAST_YEAR."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ma.ValidationError(_("Give a date between the years %(first)d and %(last)d.",
                                       first=FIRST_YEAR, last=LAST_YEAR))
        return day


class Instant(ma.fields.DateTime):
    """An ISO 8601 date and time; with an offset it is an instant, without one a wall-clock time."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            raise ma.ValidationError(_("Give a date between the years %(first)d and %(last)d.",
                                       first=FIRST_YEAR, last=LAST_YEAR))
        return moment


class CountryCode(Text):
    """An ISO 3166-1 alpha-2 code such as US or CN (case-insensitive on the way in)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(2, min_length=2, metadata={"example": "US", **kwargs.pop("metadata", {})},
                         validate=[ma.validate.Regexp(r"^[A-Za-z]{2}$")], **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).upper()


class TimezoneName(Text):
    """An IANA timezone name such as Asia/Shanghai; the document lists them all."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(64, metadata={"example": "Asia/Shanghai", **kwargs.pop("metadata", {})},
                         validate=[ma.validate.OneOf(i18n.timezone_names())], **kwargs)


class MappingSchema(ma.Schema):
    """A JSON object whose keys are free and whose values all follow Meta.values.

    The document shows it as additionalProperties (see training.core.api.ProblemPlugin).
    """

    class Meta:
        unknown = ma.INCLUDE
        keys: ma.fields.Field = ma.fields.String()
        values: ma.fields.Field = ma.fields.Raw()

    @ma.post_load
    def _load_entries(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return ma.fields.Dict(keys=self.Meta.keys, values=self.Meta.values).deserialize(data)


class PaginationArgsSchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=100_000))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(min=1, max=100))


def page_of(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """A schema for one page of items: {"items", "page", "per_page", "total"}."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "per_page": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
        },
        name=name,
    )
