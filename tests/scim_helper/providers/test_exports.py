"""The package's public names are exactly its ``__all__``, sorted."""

from __future__ import annotations

import scim_helper.providers as providers


def test_all_is_sorted_and_complete() -> None:
    """Every name in ``__all__`` exists; ``__all__`` is sorted like the other packages'."""
    assert providers.__all__ == sorted(providers.__all__, key=lambda n: (not n.isupper(), n))
    for name in providers.__all__:
        assert hasattr(providers, name)
