"""What every SCIM model shares: conversion to and from SCIM JSON, and validation.

The models are plain dataclasses whose field names are the RFC 7643 attribute names, so that
a learner writes ``User(userName="cminer", active=True)`` as the JSON reads. Three names
differ, because Python or the transcript wants them to: ``user_id``/``group_id`` (``id``)
and ``ref`` (``$ref``).

Validation has two layers:

- a strict type check of each field (``active`` must be ``True`` or ``False``). It is
  hand-written because scim2-models validates in pydantic's lax mode, which turns ``"yes"``
  and ``1`` into ``True`` without a word, and its strict mode refuses the plain strings and
  ISO dates SCIM JSON is made of;
- the rules of RFC 7643 (email syntax, URIs, required and read-only attributes…), delegated
  to the matching scim2-models class.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import types
import typing
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self

import pydantic
import scim2_models

from sync_app.errors import ValidationError

__all__ = ["SCIMObject", "dump_value", "format_datetime"]


def format_datetime(value: dt.datetime) -> str:
    """Format a DateTime the way SCIM servers do (RFC 7643 §2.3.5: xsd:dateTime, Z for UTC)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The resolved field types of a model class (cached: resolving them is slow)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _unwrap_optional(tp: Any) -> Any:
    """``X | None`` → ``X``; anything else unchanged."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _describe_type(tp: Any) -> str:
    tp = _unwrap_optional(tp)
    if typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp)
        return f"a list of {_describe_type(item)}"
    return {
        str: "a string",
        bool: "True or False",
        int: "an integer",
        dt.datetime: "a datetime",
    }.get(tp, getattr(tp, "__name__", str(tp)))


class SCIMObject:
    """Mixin for the dataclasses mirroring RFC 7643 resources and complex attributes."""

    #: Python field name → SCIM attribute name, where they differ.
    _aliases: ClassVar[Mapping[str, str]] = {"ref": "$ref"}
    #: The scim2-models class holding RFC 7643's rules for this object.
    _scim_model: ClassVar[Any] = None
    #: Fields whose UUID values become strings (SCIM ids are strings).
    _id_fields: ClassVar[frozenset[str]] = frozenset({"value"})

    def __post_init__(self) -> None:
        self._coerce()
        self.validate()

    # -- conversion -------------------------------------------------------------------------

    @classmethod
    def _scim_name(cls, name: str) -> str:
        return cls._aliases.get(name, name)

    def to_dict(self) -> dict[str, Any]:
        """The SCIM JSON of this object: attributes named as in RFC 7643, ``None`` left out."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name == "extra":
                continue
            value = getattr(self, f.name)
            if value is None:
                continue
            out[self._scim_name(f.name)] = dump_value(value)
        out.update(getattr(self, "extra", None) or {})
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build the object from SCIM JSON, such as ``response.to_dict()``.

        Attributes this model does not know are kept in ``extra`` where the model has one
        (resources), so that nothing a server sent is lost on a round trip.
        """
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"{cls.__name__}.from_dict() needs a dict of SCIM attributes, "
                f"not {type(data).__name__}.",
                model=cls.__name__,
            )
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        by_scim = {cls._scim_name(n): n for n in names}
        kwargs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        hints = _hints(cls)
        for key, value in data.items():
            name = by_scim.get(key)
            if name is None or name == "extra":
                extra[key] = value
            else:
                kwargs[name] = _load_value(hints[name], value)
        kwargs.update(cls._load_special(extra))
        if "extra" in names:
            kwargs["extra"] = extra
        return cls(**kwargs)

    @classmethod
    def _load_special(cls, extra: dict[str, Any]) -> dict[str, Any]:
        """Hook for subclasses taking attributes out of ``extra`` (schemas, extensions)."""
        extra.pop("schemas", None)
        return {}

    # -- validation -------------------------------------------------------------------------

    def _coerce(self) -> None:
        """Accept what a learner naturally writes: UUIDs for ids, dicts for complex values."""
        hints = _hints(type(self))
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None or f.name == "extra":
                continue
            if isinstance(value, uuid.UUID) and f.name in self._id_fields:
                setattr(self, f.name, str(value))
                continue
            tp = _unwrap_optional(hints[f.name])
            if typing.get_origin(tp) is list and not isinstance(value, str | bytes | Mapping):
                if isinstance(value, Iterable):
                    (item,) = typing.get_args(tp)
                    setattr(self, f.name, [_coerce_item(item, v) for v in value])
            elif isinstance(tp, type) and issubclass(tp, SCIMObject) and isinstance(value, Mapping):
                setattr(self, f.name, tp.from_dict(value))
            elif tp is dt.datetime and isinstance(value, str):
                setattr(self, f.name, _parse_datetime(type(self).__name__, f.name, value))

    def validate(self, context: scim2_models.Context = scim2_models.Context.DEFAULT) -> None:
        """Check this object, raising :class:`~sync_app.errors.ValidationError` on the first fault.

        ``context`` is the scim2-models context of the request or response the object is
        for; the client passes ``RESOURCE_CREATION_REQUEST`` before a POST, for instance,
        which checks required attributes.
        """
        self._check_types(type(self).__name__)
        self._check_rules(context)

    def _check_types(self, where: str) -> None:
        hints = _hints(type(self))
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name == "extra":
                continue
            _check_value(f"{where}.{f.name}", hints[f.name], getattr(self, f.name))

    def _check_rules(self, context: scim2_models.Context) -> None:
        if self._scim_model is None:
            return
        payload = self._scim_payload()
        try:
            self._scim_model.model_validate(payload, scim_ctx=context)
        except pydantic.ValidationError as exc:
            raise self._translate(exc) from None

    def _scim_payload(self) -> dict[str, Any]:
        """The dict scim2-models validates: our JSON without attributes it does not model."""
        payload = self.to_dict()
        for key in getattr(self, "extra", None) or {}:
            payload.pop(key, None)
        return payload

    def _translate(self, exc: pydantic.ValidationError) -> ValidationError:
        """Say which field is wrong, in the Python names the learner wrote."""
        error = exc.errors()[0]
        by_scim = {
            self._scim_name(f.name): f.name
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
        }
        parts: list[str] = []
        for i, loc in enumerate(error["loc"]):
            if isinstance(loc, int):
                parts.append(f"[{loc}]")
                continue
            name = by_scim.get(loc, loc) if i == 0 else {"$ref": "ref"}.get(loc, loc)
            parts.append(("." if parts else "") + name)
        path = "".join(parts)
        model = type(self).__name__
        where = f"{model}.{path}" if path else model
        message = error["msg"].rstrip(".")
        if error["type"] == "extra_forbidden":
            message = "is not an attribute this model knows"
        required = re.match(r"Field '(\w+)' is required", error["msg"])
        if required and not path:
            name = by_scim.get(required.group(1), required.group(1))
            return ValidationError(
                f"{model}.{name} is required (RFC 7643) but is missing or empty: set it "
                "before sending.",
                model=model,
                field=name,
            )
        if path:
            given = error.get("input")
            shown = f" (got {given!r})" if not isinstance(given, dict | list) else ""
            text = f"{where} is not valid{shown}: {message}."
        else:
            text = f"{where} is not valid: {message}."
        return ValidationError(text, model=model, field=path)

    # -- notebook display -------------------------------------------------------------------

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(_short(v))}</td></tr>"
            for k, v in self._summary().items()
        )
        return f"<table><caption>{html.escape(repr(self))}</caption>{rows}</table>"

    def _summary(self) -> dict[str, Any]:
        """The attributes worth a row in the notebook table."""
        return {k: v for k, v in self.to_dict().items() if k != "schemas"}


def _short(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_short(v) for v in value)
    if isinstance(value, dict):
        if "value" in value:
            return str(value["value"])
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items())
    return str(value)


def dump_value(value: Any) -> Any:
    """Turn models, datetimes and UUIDs (also inside lists and dicts) into JSON values."""
    if isinstance(value, SCIMObject):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [dump_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: dump_value(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _load_value(tp: Any, value: Any) -> Any:
    tp = _unwrap_optional(tp)
    if value is None:
        return None
    if typing.get_origin(tp) is list and isinstance(value, list):
        (item,) = typing.get_args(tp)
        return [_load_value(item, v) for v in value]
    if isinstance(tp, type) and issubclass(tp, SCIMObject) and isinstance(value, Mapping):
        return tp.from_dict(value)
    return value


def _coerce_item(tp: Any, value: Any) -> Any:
    if isinstance(tp, type) and issubclass(tp, SCIMObject) and isinstance(value, Mapping):
        return tp.from_dict(value)
    return value


def _parse_datetime(model: str, name: str, value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"{model}.{name} is not valid (got {value!r}): "
            "expected an ISO 8601 date and time such as '2024-03-11T19:13:16Z'.",
            model=model,
            field=name,
        ) from None


def _article(word: str) -> str:
    """ "an Email", "an X509Certificate": a letter before a digit is read by its name ("ex")."""
    spelled = word[1:2].isdigit() and word[:1].upper() in "AEFHILMNORSX"
    return "an" if word[:1].lower() in "aeiou" or spelled else "a"


def _check_value(where: str, tp: Any, value: Any) -> None:
    if value is None:
        return
    tp = _unwrap_optional(tp)
    origin = typing.get_origin(tp)
    model, _, field = where.partition(".")
    if origin is list:
        if not isinstance(value, list):
            raise ValidationError(
                f"{where} must be {_describe_type(tp)}, not {type(value).__name__} ({value!r}).",
                model=model,
                field=field,
            )
        (item,) = typing.get_args(tp)
        for i, v in enumerate(value):
            _check_value(f"{where}[{i}]", item, v)
        return
    if tp is Any:
        return
    if isinstance(tp, type) and issubclass(tp, SCIMObject):
        if not isinstance(value, tp):
            raise ValidationError(
                f"{where} must be {_article(tp.__name__)} {tp.__name__}(...), "
                f"not {type(value).__name__} ({value!r}).",
                model=model,
                field=field,
            )
        value._check_types(where)
        return
    ok = isinstance(value, tp) and not (tp is int and isinstance(value, bool))
    if not ok:
        raise ValidationError(
            f"{where} must be {_describe_type(tp)}, not {type(value).__name__} ({value!r}).",
            model=model,
            field=field,
        )
