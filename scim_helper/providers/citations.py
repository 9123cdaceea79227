"""Where each provider behaviour comes from: the vendor's own page, section and address.

Every step of a profile carries one of these. Only pages and quotes checked against the
vendors' documentation are used here; what a page does not say, the steps label as ours.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    """A section of a page: who wrote it, the page's title, the section's heading, its address."""

    source: str
    title: str
    section: str
    url: str

    def __str__(self) -> str:
        return f'{self.source}, "{self.title}", section "{self.section}": {self.url}'


def _page(source: str, title: str, url: str):  # type: ignore[no-untyped-def]
    def section(heading: str, anchor: str = "") -> Citation:
        return Citation(source, title, heading, f"{url}#{anchor}" if anchor else url)

    return section


_ENTRA_TUT = _page(
    "Microsoft Learn",
    "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID",
    "https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups",
)
_ENTRA_COMPAT = _page(
    "Microsoft Learn",
    "Known issues and resolutions with SCIM 2.0 protocol compliance of the Microsoft Entra "
    "user provisioning service",
    "https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility",
)
_ENTRA_HOW = _page(
    "Microsoft Learn",
    "How Application Provisioning works in Microsoft Entra ID",
    "https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works",
)
_OKTA_REF = _page(
    "Okta Developer",
    "SCIM 2.0 Protocol Reference",
    "https://developer.okta.com/docs/reference/scim/scim-20/",
)
_OKTA_CON = _page(
    "Okta Developer", "Understanding SCIM", "https://developer.okta.com/docs/concepts/scim/"
)
_OKTA_TEST = _page(
    "Okta Developer",
    "Test your Okta SCIM integration",
    "https://developer.okta.com/docs/guides/scim-provisioning-integration-test/main/",
)

ENTRA_TEST_CONNECTION = _ENTRA_TUT("Getting started", "getting-started")
ENTRA_MATCHING = _ENTRA_HOW("Initial cycle", "initial-cycle")
ENTRA_IMPLEMENTATION = _ENTRA_TUT(
    "Understand the Microsoft Entra SCIM implementation",
    "understand-the-azure-ad-scim-implementation",
)
ENTRA_GENERAL = _ENTRA_TUT("General", "general")
ENTRA_UPDATE_EMAIL = _ENTRA_TUT(
    "Update User [Multi-valued properties]", "update-user-multi-valued-properties"
)
ENTRA_FLAGS = _ENTRA_COMPAT("Flags to alter the SCIM behavior", "flags-to-alter-the-scim-behavior")
ENTRA_DEPROVISIONING = _ENTRA_HOW("Deprovisioning", "deprovisioning")
ENTRA_GET_GROUP_BY_NAME = _ENTRA_TUT("Get Group by displayName", "get-group-by-displayname")
ENTRA_GET_GROUP = _ENTRA_TUT("Get Group", "get-group")
ENTRA_GROUP_OPERATIONS = _ENTRA_TUT("Group Operations", "group-operations")
ENTRA_ADD_MEMBERS = _ENTRA_TUT("Update Group [Add Members]", "update-group-add-members")
ENTRA_REMOVE_MEMBERS = _ENTRA_TUT("Update Group [Remove Members]", "update-group-remove-members")
ENTRA_RENAME_GROUP = _ENTRA_TUT(
    "Update Group [Non-member attributes]", "update-group-non-member-attributes"
)
ENTRA_GET_USER = _ENTRA_TUT("Get User", "get-user")

OKTA_LOOKUP = _OKTA_REF(
    "Determine if the User already exists", "determine-if-the-user-already-exists"
)
OKTA_CREATE_USER = _OKTA_REF("Create the User", "create-the-user")
OKTA_RETRIEVE_USERS = _OKTA_REF("Retrieve Users", "retrieve-users")
OKTA_RETRIEVE_USER = _OKTA_REF("Retrieve the User", "retrieve-the-user")
OKTA_PUT_USER = _OKTA_REF("Update the User", "update-the-user")
OKTA_PATCH_USER = _OKTA_REF("Update a specific User (PATCH)", "update-a-specific-user-patch")
OKTA_REACTIVATE = _OKTA_CON("Delete (Deprovision)", "delete-deprovision")
OKTA_VERIFY_DEACTIVATED = _OKTA_TEST("Runscope tests for CRUD", "runscope-tests-for-crud")
OKTA_CREATE_GROUP = _OKTA_REF("Create Groups", "create-groups")
OKTA_GROUP_MEMBERS = _OKTA_REF(
    "Update specific Group membership", "update-specific-group-membership"
)
OKTA_RENAME_GROUP = _OKTA_REF("Update a specific Group name", "update-a-specific-group-name")
OKTA_DELETE_GROUP = _OKTA_REF("Delete a specific Group", "delete-a-specific-group")

RFC7643_USERNAME = Citation(
    "IETF",
    "RFC 7643",
    "4.1.1 Singular Attributes (userName)",
    "https://www.rfc-editor.org/rfc/rfc7643#section-4.1.1",
)
