"""The server package's public surface is deliberate: ``__all__`` is sorted and complete."""

from __future__ import annotations

import scim_helper.server as server


def test_all_is_sorted_and_complete() -> None:
    """Every public name the package defines is in ``__all__``, which is sorted."""
    public = {
        name
        for name, value in vars(server).items()
        if not name.startswith("_") and not isinstance(value, type(server))
    }
    assert server.__all__ == sorted(server.__all__)
    assert set(server.__all__) == public
