"""Telling a shop server's URL from a file path, and writing it without its password. No
psycopg here: the command line reads --db before it knows which engine it needs."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

URL_SCHEMES = ("postgresql://", "postgres://")


def is_server_url(target: object) -> bool:
    """Whether --db or RELAPP_DB names a shop server rather than a file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def redact(url: str) -> str:
    """url without its password (in the user part or as ?password=), fit for a message or
    a log line."""
    parts = urlsplit(url)
    if parts.password is not None:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        user = f"{parts.username}:***@" if parts.username else ":***@"
        parts = parts._replace(netloc=user + host)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "password" for name, _ in query):
        hidden = [(name, "***" if name == "password" else value) for name, value in query]
        parts = parts._replace(query=urlencode(hidden, safe="/*"))
    # Not urlunsplit: it drops the empty host of postgresql:///shop (a local socket).
    tail = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{parts.scheme}://{parts.netloc}{parts.path}{tail}{fragment}"
