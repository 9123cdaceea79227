"""The User resource (RFC 7643 §4.1) and the Enterprise User extension (§4.3).

Field docstrings paraphrase the RFC, so that ``help(User)`` teaches.
"""

from __future__ import annotations

import uuid
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, ClassVar

import scim2_models

from sync_app.errors import ValidationError
from sync_app.scim import urns
from sync_app.scim.base import SCIMObject
from sync_app.scim.resource import Resource, ResourceMeta, ResourceRef

__all__ = [
    "ENTERPRISE_USER_SCHEMA",
    "USER_SCHEMA",
    "Address",
    "Email",
    "EnterpriseUser",
    "Entitlement",
    "Im",
    "Manager",
    "Name",
    "PhoneNumber",
    "Photo",
    "Role",
    "User",
    "X509Certificate",
]

USER_SCHEMA = urns.USER
ENTERPRISE_USER_SCHEMA = urns.ENTERPRISE_USER


@dataclass
class Name(SCIMObject):
    """The components of the User's real name (RFC 7643 §4.1.1)."""

    #: The full name, formatted for display, e.g. ``"Charles Miner"``.
    formatted: str | None = None
    #: The family (last) name, e.g. ``"Miner"``.
    familyName: str | None = None
    #: The given (first) name, e.g. ``"Charles"``.
    givenName: str | None = None
    #: Middle name(s).
    middleName: str | None = None
    #: Honorific prefix(es), e.g. ``"Ms."``.
    honorificPrefix: str | None = None
    #: Honorific suffix(es), e.g. ``"III"``.
    honorificSuffix: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Name


@dataclass
class Email(SCIMObject):
    """An email address of the User (RFC 7643 §4.1.2)."""

    #: The address, e.g. ``"charles.miner@dundermifflin.com"``.
    value: str | None = None
    #: What it is for: ``"work"``, ``"home"`` or ``"other"``.
    type: str | None = None
    #: Whether it is the preferred address; at most one email is primary.
    primary: bool | None = None
    #: A human-readable name, for display only.
    display: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Email
    _id_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass
class PhoneNumber(SCIMObject):
    """A phone number of the User (RFC 7643 §4.1.2), ideally in RFC 3966 form."""

    #: The number, e.g. ``"tel:+1-570-555-0100"``.
    value: str | None = None
    #: ``"work"``, ``"home"``, ``"mobile"``, ``"fax"``, ``"pager"`` or ``"other"``.
    type: str | None = None
    #: Whether it is the preferred number.
    primary: bool | None = None
    #: A human-readable name, for display only.
    display: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.PhoneNumber
    _id_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass
class Im(SCIMObject):
    """An instant messaging address of the User (RFC 7643 §4.1.2)."""

    value: str | None = None
    #: ``"aim"``, ``"gtalk"``, ``"icq"``, ``"xmpp"``, ``"msn"``, ``"skype"``, ``"qq"``…
    type: str | None = None
    primary: bool | None = None
    display: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Im
    _id_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass
class Photo(SCIMObject):
    """The URL of a photo of the User (RFC 7643 §4.1.2)."""

    #: A URL pointing at the image.
    value: str | None = None
    #: ``"photo"`` or ``"thumbnail"``.
    type: str | None = None
    primary: bool | None = None
    display: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Photo
    _id_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass
class Address(SCIMObject):
    """A physical mailing address of the User (RFC 7643 §4.1.2)."""

    #: The full address, formatted for a mailing label.
    formatted: str | None = None
    #: House number, street, P.O. box…
    streetAddress: str | None = None
    #: The city, e.g. ``"Scranton"``.
    locality: str | None = None
    #: The state or region, e.g. ``"PA"``.
    region: str | None = None
    postalCode: str | None = None
    #: The country, as an ISO 3166-1 alpha-2 code, e.g. ``"US"``.
    country: str | None = None
    #: ``"work"``, ``"home"`` or ``"other"``.
    type: str | None = None
    primary: bool | None = None

    _scim_model: ClassVar[Any] = scim2_models.Address


@dataclass
class Entitlement(SCIMObject):
    """A thing the User has, e.g. a license (RFC 7643 §4.1.2)."""

    value: str | None = None
    type: str | None = None
    primary: bool | None = None
    display: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Entitlement
    _id_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass
class Role(SCIMObject):
    """A role of the User, e.g. ``"Regional Manager"`` (RFC 7643 §4.1.2)."""

    value: str | None = None
    type: str | None = None
    primary: bool | None = None
    display: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Role
    _id_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass
class X509Certificate(SCIMObject):
    """A certificate issued to the User, DER-encoded then base64 (RFC 7643 §4.1.2)."""

    value: str | None = None
    type: str | None = None
    primary: bool | None = None
    display: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.X509Certificate
    _id_fields: ClassVar[frozenset[str]] = frozenset()


@dataclass
class Manager(SCIMObject):
    """The User's manager (RFC 7643 §4.3): the ``id`` of another User."""

    #: The ``id`` of the manager's User resource.
    value: str | None = None
    #: The URI of the manager's User resource (``$ref`` in JSON).
    ref: str | None = None
    #: The manager's displayName; read-only, filled in by the server.
    displayName: str | None = None

    _scim_model: ClassVar[Any] = scim2_models.Manager


@dataclass
class EnterpriseUser(SCIMObject):
    """The Enterprise User extension (RFC 7643 §4.3), sent under its schema URN."""

    #: An identifier assigned by the organization, e.g. by order of hire.
    employeeNumber: str | None = None
    #: The name of a cost center.
    costCenter: str | None = None
    #: The name of an organization, e.g. ``"Dunder Mifflin"``.
    organization: str | None = None
    #: The name of a division, e.g. ``"Scranton"``.
    division: str | None = None
    #: The name of a department, e.g. ``"Sales"``.
    department: str | None = None
    #: The User's manager.
    manager: Manager | None = None

    _scim_model: ClassVar[Any] = scim2_models.EnterpriseUser


@dataclass(repr=False)
class User(Resource):
    """A person with an account at the service provider (RFC 7643 §4.1).

    The first arguments follow the course's order; every other attribute of RFC 7643
    §4.1 is a keyword argument. ``meta``, ``user_id`` and ``groups`` are read-only: the
    server assigns them, and the client never sends them on a create or a replace.

    Attributes:
        meta: resource metadata (ResourceMeta), assigned by the server.
        user_id: the ``id`` the server assigned; sent as ``id``.
        displayName: the name to show, e.g. "Charles Miner".
        active: True if the User may sign in, False if not.
        userName: the unique name the User signs in with, e.g. "cminer". Required.
        name: the parts of the real name (Name: givenName, familyName, formatted…).
        emails: email addresses (Email: value, type, primary, display).
        groups: the groups the User is in (ResourceRef), computed by the server from
            Group.members: to change membership, PATCH the group.
        externalId: the provisioning client's own id for the User (HR, LDAP…).
        title, nickName, profileUrl, userType, preferredLanguage, locale, timezone:
            strings, as RFC 7643 §4.1.1 describes them.
        password: write-only; a server never returns it.
        phoneNumbers, ims, photos, addresses, entitlements, roles, x509Certificates:
            lists of PhoneNumber, Im, Photo, Address, Entitlement, Role, X509Certificate.
        enterprise: the Enterprise User extension (EnterpriseUser), RFC 7643 §4.3.
        extra: attributes this client does not model, kept as the server sent them.
    """

    #: Resource metadata, assigned by the server (see ResourceMeta.create_meta).
    meta: ResourceMeta | None = None
    #: The ``id``, assigned by the server; a UUID is accepted and kept as its string.
    user_id: str | None = None
    #: The name of the User, suitable for display, e.g. ``"Charles Miner"``.
    displayName: str | None = None
    #: The User's administrative status: ``True`` may sign in, ``False`` may not.
    active: bool | None = None
    #: The unique name the User signs in with, e.g. ``"cminer"``. REQUIRED, non-empty.
    userName: str | None = None
    #: The components of the User's real name.
    name: Name | None = None
    #: Email addresses.
    emails: list[Email] | None = None
    #: The groups the User belongs to; read-only, computed by the server from Group.members.
    groups: list[ResourceRef] | None = None
    _: KW_ONLY
    #: The provisioning client's own identifier for the User (e.g. an HR or LDAP id).
    externalId: str | None = None
    #: The casual way to address the User, e.g. ``"Mike"``.
    nickName: str | None = None
    #: A URL of the User's online profile.
    profileUrl: str | None = None
    #: The User's title, e.g. ``"Regional Manager"``.
    title: str | None = None
    #: The relationship to the organization, e.g. ``"Employee"``, ``"Contractor"``.
    userType: str | None = None
    #: The preferred language, e.g. ``"en-US"``.
    preferredLanguage: str | None = None
    #: The default location for localizing, e.g. ``"en-US"``.
    locale: str | None = None
    #: The time zone, e.g. ``"America/New_York"``.
    timezone: str | None = None
    #: The cleartext password; write-only, never returned by a server.
    password: str | None = None
    phoneNumbers: list[PhoneNumber] | None = None
    ims: list[Im] | None = None
    photos: list[Photo] | None = None
    addresses: list[Address] | None = None
    entitlements: list[Entitlement] | None = None
    roles: list[Role] | None = None
    x509Certificates: list[X509Certificate] | None = None
    #: The Enterprise User extension; its URN is added to ``schemas`` when set.
    enterprise: EnterpriseUser | None = None
    #: Attributes this client does not model, kept as received (e.g. other extensions).
    extra: dict[str, Any] = field(default_factory=dict, compare=True)

    schema: ClassVar[str] = USER_SCHEMA
    endpoint: ClassVar[str] = "/Users"
    id_field: ClassVar[str] = "user_id"
    _aliases: ClassVar[dict[str, str]] = {"user_id": "id", "enterprise": ENTERPRISE_USER_SCHEMA}
    _id_fields: ClassVar[frozenset[str]] = frozenset({"user_id"})
    _scim_model: ClassVar[Any] = scim2_models.User[scim2_models.EnterpriseUser]

    def __post_init__(self) -> None:
        if isinstance(self.user_id, uuid.UUID):
            self.user_id = str(self.user_id)
        super().__post_init__()

    def _check_types(self, where: str) -> None:
        super()._check_types(where)
        # RFC 7643 §4.1.1: "Each User MUST include a non-empty userName value"; scim2-models
        # accepts "", so the emptiness is checked here.
        if isinstance(self.userName, str) and not self.userName.strip():
            raise ValidationError(
                f"{where}.userName must not be empty: it is the unique name the User signs "
                "in with, e.g. 'cminer'.",
                model="User",
                field="userName",
            )

    def schemas(self) -> list[str]:
        if self.enterprise is not None:
            return [USER_SCHEMA, ENTERPRISE_USER_SCHEMA]
        return [USER_SCHEMA]

    def __repr__(self) -> str:
        status = {True: "active", False: "inactive", None: ""}[self.active]
        parts = [self.userName or self.displayName or "(no userName)", status]
        if self.user_id is None:
            parts.append("(not created yet)")
        return f"<User {' '.join(p for p in parts if p)}>"
