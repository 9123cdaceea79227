"""Filter (RFC 7644 §3.4.2.2)."""

from __future__ import annotations

import pytest

from sync_app.errors import ValidationError
from sync_app.filter import Filter


def test_filter_as_the_course_writes_it() -> None:
    """Filter(filter=...) keeps the expression, which str() gives back."""
    f = Filter(filter='displayName eq "Dunder Mifflin"')
    assert str(f) == 'displayName eq "Dunder Mifflin"'


@pytest.mark.parametrize(
    "expression",
    [
        'groups.value eq "9b8a563a"',
        'emails[type eq "work" and value co "@dundermifflin.com"]',
        "active eq false",
        'userName sw "m" or not (title pr)',
    ],
)
def test_rfc7644_3_4_2_2_valid_filters(expression: str) -> None:
    """Filters of RFC 7644 §3.4.2.2's grammar are accepted."""
    assert Filter(filter=expression).filter == expression


@pytest.mark.parametrize("expression", ["displayName = 'Dunder Mifflin'", "userName eq", "", "  "])
def test_bad_filters_are_refused_before_sending(expression: str) -> None:
    """A syntax error is caught client-side, with the shape of a correct filter."""
    with pytest.raises(ValidationError) as caught:
        Filter(filter=expression)
    assert caught.value.field == "filter"
    assert 'userName eq "mscott"' in str(caught.value)


def test_eq_quotes_and_escapes() -> None:
    """Filter.eq quotes strings as JSON and writes booleans bare."""
    assert Filter.eq("userName", 'dwight "the" schrute').filter == (
        'userName eq "dwight \\"the\\" schrute"'
    )
    assert Filter.eq("active", True).filter == "active eq true"
