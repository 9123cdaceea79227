"""ClientConfiguration."""

from __future__ import annotations

import pytest

from sync_app.config import ClientConfiguration
from sync_app.errors import ValidationError


@pytest.mark.parametrize("url", ["https://api.scim.dev/scim/v2/", "https://api.scim.dev/scim/v2"])
def test_base_url_with_or_without_trailing_slash(url: str) -> None:
    """The base URL is the same with or without the trailing slash."""
    assert ClientConfiguration(server_url=url).base_url == "https://api.scim.dev/scim/v2"


def test_defaults_are_safe() -> None:
    """A timeout, a few retries on 429/503 and a capped backoff by default."""
    config = ClientConfiguration(server_url="http://127.0.0.1:8000/scim/v2")
    assert config.timeout == 10.0
    assert config.retries == 2
    assert config.retry_statuses == {429, 503}
    assert config.max_backoff == 30.0


def test_repr_never_shows_the_token() -> None:
    """The token is redacted in the repr (notebooks display it)."""
    config = ClientConfiguration(
        server_url="https://api.scim.dev/scim/v2/", auth_token="s3cr3t-beets"
    )
    assert "s3cr3t-beets" not in repr(config)
    assert "<redacted>" in repr(config)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"server_url": "api.scim.dev/scim/v2"}, "server_url"),
        ({"server_url": "ftp://x/scim"}, "server_url"),
        ({"server_url": "http://x", "timeout": -1}, "timeout"),
        ({"server_url": "http://x", "retries": 1.5}, "retries"),
        ({"server_url": "http://x", "auth_token": 123}, "auth_token"),
    ],
)
def test_bad_configuration_names_the_field(kwargs: dict[str, object], field: str) -> None:
    """A wrong setting is refused, naming it."""
    with pytest.raises(ValidationError) as caught:
        ClientConfiguration(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
