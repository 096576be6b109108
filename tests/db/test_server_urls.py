"""A shop server's URL is shown without its password, wherever the password was written."""

from __future__ import annotations

import pytest

from relapp.db.server.urls import is_server_url, redact


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://sam:hunter2@db.shop:5432/shop", "postgresql://sam:***@db.shop:5432/shop"),
        (
            "postgresql:///shop?host=/run/pg&password=hunter2",
            "postgresql:///shop?host=/run/pg&password=***",
        ),
        ("postgresql://sam@/shop?host=/run/pg", "postgresql://sam@/shop?host=/run/pg"),
        ("postgres://db.shop/shop?sslmode=require", "postgres://db.shop/shop?sslmode=require"),
    ],
)
def test_the_password_never_shows(url, shown):
    assert redact(url) == shown
    assert "hunter2" not in redact(url)


@pytest.mark.parametrize(
    ("target", "server"),
    [
        ("postgresql://x/y", True),
        ("postgres://x/y", True),
        ("/tmp/relapp.db", False),
        (None, False),
    ],
)
def test_a_server_is_told_from_a_file(target, server):
    assert is_server_url(target) is server
