"""Widgets for JupyterLab (ipywidgets 8): see the directory, try filters, build PATCH requests.

Each takes the chapter's client (or finds the course's server) and degrades to plain text
where no widget frontend exists::

    DirectoryExplorer(client)
    FilterPlayground(client, filter='title eq "Sales Representative"')
    PatchBuilder(client, target="mscott", op="replace", path="active", value="false")
"""

from scim_helper.widgets.explorer import DirectoryExplorer
from scim_helper.widgets.patch_builder import PatchBuilder
from scim_helper.widgets.playground import FilterPlayground

__all__ = ["DirectoryExplorer", "FilterPlayground", "PatchBuilder"]
