"""The package's public surface: __all__ is sorted and complete (as httpx checks its own)."""

from __future__ import annotations

import sync_app


def test_all_is_sorted() -> None:
    """__all__ is in sorted order."""
    assert sync_app.__all__ == sorted(sync_app.__all__)


def test_all_is_complete() -> None:
    """Every public name the package imports is in __all__, and every name there exists."""
    exported = {
        name
        for name, value in vars(sync_app).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("sync_app")
    }
    assert exported == set(sync_app.__all__)
    assert all(hasattr(sync_app, name) for name in sync_app.__all__)


def test_the_client_never_imports_course_code() -> None:
    """Imports go one way: sync_app does not depend on scim_helper."""
    import pathlib

    root = pathlib.Path(sync_app.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "scim_helper" in path.read_text()
    ]
    assert offenders == []
