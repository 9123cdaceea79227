"""The package's public surface: ``__all__`` sorted, complete, and every name importable."""

from __future__ import annotations

import subprocess
import sys

import scim_helper
from scim_helper import checks, widgets


def test_all_is_sorted_and_every_name_resolves() -> None:
    """Each name in ``scim_helper.__all__`` imports, and the list is sorted."""
    assert scim_helper.__all__ == sorted(scim_helper.__all__)
    for name in scim_helper.__all__:
        assert getattr(scim_helper, name) is not None
    # Everything but the version is imported lazily, on first use.
    assert set(scim_helper._EXPORTS) | {"__version__"} == set(scim_helper.__all__)


def test_subpackages_export_what_they_define() -> None:
    """checks and widgets keep a sorted, complete ``__all__``."""
    for package in (checks, widgets):
        assert package.__all__ == sorted(package.__all__)
        public = {n for n, v in vars(package).items() if not n.startswith("_")}
        public -= {n for n, v in vars(package).items() if type(v) is type(sys)}
        public -= {"annotations"}
        assert set(package.__all__) == public


def test_importing_the_server_does_not_import_course_support() -> None:
    """The server starts without the client, ipywidgets or tqdm (the package exports are lazy)."""
    code = (
        "import sys, scim_helper.server.runner; "
        "print(sorted(m for m in ('ipywidgets', 'tqdm', 'scim_helper.setup') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
