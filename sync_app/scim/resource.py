"""What every resource shares (RFC 7643 §3.1): ``meta``, and references to other resources."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import html
from dataclasses import dataclass
from typing import Any, ClassVar

import scim2_models

from sync_app.errors import ValidationError
from sync_app.scim.base import SCIMObject

__all__ = ["RESOURCE_TYPES", "Resource", "ResourceMeta", "ResourceRef"]

#: The resource types of RFC 7643: the two a service provider stores and the three that
#: describe the service provider itself (§5, §6, §7).
RESOURCE_TYPES = ("User", "Group", "ServiceProviderConfig", "ResourceType", "Schema")


@dataclass(repr=False)
class ResourceMeta(SCIMObject):
    """The ``meta`` attribute (RFC 7643 §3.1): set by the service provider, read-only.

    A client may build one to describe a resource, but it is never sent: the server
    assigns ``meta`` (and ``id``) and answers with its own.
    """

    #: The name of the resource type, e.g. ``"User"``.
    resourceType: str | None = None
    #: When the resource was added to the service provider.
    created: dt.datetime | None = None
    #: When the resource was last changed; equal to ``created`` until then.
    lastModified: dt.datetime | None = None
    #: The URI of the resource, where it can be fetched again.
    location: str | None = None
    #: The resource's version, the same as its HTTP ``ETag`` (e.g. ``W/"3"``).
    version: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Meta

    @classmethod
    def create_meta(cls, resource_type: str, location: str) -> ResourceMeta:
        """Describe a new resource of ``resource_type`` living at ``location``.

        ``resource_type`` is one of ``User``, ``Group``, ``ServiceProviderConfig``,
        ``ResourceType`` and ``Schema``; ``created`` and ``lastModified`` are now (UTC).
        """
        if resource_type not in RESOURCE_TYPES:
            close = difflib.get_close_matches(str(resource_type), RESOURCE_TYPES, n=1)
            suggestion = f" Did you mean {close[0]!r}?" if close else ""
            raise ValidationError(
                f"{resource_type!r} is not a SCIM resource type.{suggestion} "
                f"Use one of: {', '.join(RESOURCE_TYPES)}.",
                model="ResourceMeta",
                field="resourceType",
            )
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return cls(resourceType=resource_type, created=now, lastModified=now, location=location)

    def __repr__(self) -> str:
        version = f" {self.version}" if self.version else ""
        return f"<ResourceMeta {self.resourceType} {self.location}{version}>"


@dataclass(repr=False)
class ResourceRef(SCIMObject):
    """A reference to another resource, as in ``User.groups`` (RFC 7643 §4.1.2).

    ``ref`` is sent as ``$ref``.
    """

    #: The URI of the referenced resource (``$ref`` in JSON).
    ref: str | None = None
    #: The ``id`` of the referenced resource.
    value: str | None = None
    #: A human-readable name for it, e.g. the group's displayName.
    display: str | None = None
    #: ``"direct"`` or ``"indirect"`` membership, for a group.
    type: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.GroupMembership

    def __repr__(self) -> str:
        label = f" {self.display!r}" if self.display else ""
        return f"<ResourceRef {self.value}{label}>"


class Resource(SCIMObject):
    """What a User and a Group share: an id, ``meta``, ``schemas`` and the extras kept.

    Subclasses are dataclasses with an id field (``user_id``, ``group_id``), a ``meta``
    field and an ``extra`` dict for attributes this client does not model.
    """

    #: The core schema URN of the resource (RFC 7643 §8.7.1).
    schema: ClassVar[str] = ""
    #: The endpoint, relative to the server base (RFC 7644 §3.2).
    endpoint: ClassVar[str] = ""
    #: The Python name of the id field.
    id_field: ClassVar[str] = "id"

    @property
    def id(self) -> str | None:
        """The resource's ``id``, assigned by the service provider."""
        value = getattr(self, self.id_field)
        return str(value) if value is not None else None

    @property
    def version(self) -> str | None:
        """``meta.version``: the ETag to send in ``If-Match``."""
        meta = getattr(self, "meta", None)
        return meta.version if meta is not None else None

    def schemas(self) -> list[str]:
        """The URNs of the schemas this resource uses (RFC 7643 §3)."""
        return [self.schema]

    def to_dict(self) -> dict[str, Any]:
        return {"schemas": self.schemas(), **super().to_dict()}

    def to_scim(self, context: scim2_models.Context) -> dict[str, Any]:
        """The JSON to send in the request ``context`` (creation, replacement…).

        Checks the object first, then lets scim2-models leave out what the RFC says a
        client does not send there: read-only attributes such as ``id``, ``meta`` and
        ``User.groups`` on a POST or a PUT. Attributes kept in ``extra`` go back as they came.
        """
        self.validate(context)
        model = self._scim_model.model_validate(self._scim_payload(), scim_ctx=context)
        payload: dict[str, Any] = model.model_dump(scim_ctx=context)
        payload.update(getattr(self, "extra", None) or {})
        return payload

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._rows().items()
        )
        return f"<table><caption>{html.escape(repr(self))}</caption>{rows}</table>"

    def _rows(self) -> dict[str, str]:
        rows = {"id": str(self.id)}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name in (self.id_field, "meta", "extra"):
                continue
            value = getattr(self, f.name)
            if value is not None:
                rows[f.name] = _cell(value)
        if self.version:
            rows["version"] = self.version
        return rows


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, SCIMObject):
        data = value.to_dict()
        if "value" in data:
            return str(data.get("display") or data["value"])
        return ", ".join(f"{k}={v}" for k, v in data.items())
    return str(value)
