"""Course support: the local SCIM server, course_setup, exercise checks and widgets.

The names below are what the chapters use::

    from scim_helper import course_server, course_setup, checks
    server_url, auth_token = course_server(server_url, auth_token)
    dunder_mifflin_group_id, user_ids = course_setup(auth_token, server_url=server_url)

They are loaded on first use (PEP 562): the server in ``scim_helper.server`` lives in this
package too, and starting it must not pay for ipywidgets, tqdm or the client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: The course's version, in one place: the build reads it (pyproject.toml), ``scim-course
#: --version`` and the index chapter show it.
__version__ = "0.1.0"

if TYPE_CHECKING:
    from scim_helper import checks
    from scim_helper.capabilities import Capabilities, capabilities, supports
    from scim_helper.connection import Connection, course_client, course_server
    from scim_helper.directory import generate_directory, seed_directory
    from scim_helper.display import view, wire_log
    from scim_helper.marker import course_external_id, is_course_resource
    from scim_helper.setup import CourseSetupError, course_setup
    from scim_helper.story import Roster, story_so_far
    from scim_helper.widgets import DirectoryExplorer, FilterPlayground, PatchBuilder

__all__ = [
    "Capabilities",
    "Connection",
    "CourseSetupError",
    "DirectoryExplorer",
    "FilterPlayground",
    "PatchBuilder",
    "Roster",
    "__version__",
    "capabilities",
    "checks",
    "course_client",
    "course_external_id",
    "course_server",
    "course_setup",
    "generate_directory",
    "is_course_resource",
    "seed_directory",
    "story_so_far",
    "supports",
    "view",
    "wire_log",
]

# name -> the module that defines it ("" when the name is the module itself)
_EXPORTS: dict[str, tuple[str, str]] = {
    "Capabilities": ("scim_helper.capabilities", "Capabilities"),
    "Connection": ("scim_helper.connection", "Connection"),
    "CourseSetupError": ("scim_helper.setup", "CourseSetupError"),
    "DirectoryExplorer": ("scim_helper.widgets", "DirectoryExplorer"),
    "FilterPlayground": ("scim_helper.widgets", "FilterPlayground"),
    "PatchBuilder": ("scim_helper.widgets", "PatchBuilder"),
    "Roster": ("scim_helper.story", "Roster"),
    "capabilities": ("scim_helper.capabilities", "capabilities"),
    "checks": ("scim_helper.checks", ""),
    "course_client": ("scim_helper.connection", "course_client"),
    "course_external_id": ("scim_helper.marker", "course_external_id"),
    "course_server": ("scim_helper.connection", "course_server"),
    "course_setup": ("scim_helper.setup", "course_setup"),
    "generate_directory": ("scim_helper.directory", "generate_directory"),
    "is_course_resource": ("scim_helper.marker", "is_course_resource"),
    "seed_directory": ("scim_helper.directory", "seed_directory"),
    "story_so_far": ("scim_helper.story", "story_so_far"),
    "supports": ("scim_helper.capabilities", "supports"),
    "view": ("scim_helper.display", "view"),
    "wire_log": ("scim_helper.display", "wire_log"),
}


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'scim_helper' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = getattr(module, attribute) if attribute else module
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
