"""A till's command on a server it cannot use: one sentence, exit 1, no traceback, nothing
written. (Moving a shop has its own in tests/test_cli_server.py.)"""

from __future__ import annotations

import pytest

from relapp.cli import main


def refused(capsys, *args: str) -> str:
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err and captured.out == ""
    assert captured.err.count("\n") == 1  # one sentence
    return captured.err


@pytest.fixture
def password_role(server_cluster):
    """A role that must give its password (the cluster trusts everyone else)."""
    hba = server_cluster.data / "pg_hba.conf"
    rules = hba.read_text()
    if "relapp_cashier" not in rules:
        server_cluster.admin("CREATE ROLE relapp_cashier LOGIN PASSWORD 'right-one'")
        hba.write_text("local all relapp_cashier scram-sha-256\n" + rules)
        server_cluster.admin("SELECT pg_reload_conf()")
    return "relapp_cashier"


def test_a_wrong_password_is_named_and_never_shown(capsys, server_cluster, password_role):
    url = server_cluster.url("relapp_template").replace("relapp@", f"{password_role}:wrong-one@")
    error = refused(capsys, "sale", "1234", "--amount", "5.00", "--db", url)
    assert "password was not accepted" in error
    assert "wrong-one" not in error and ":***@" in error


def test_another_programs_database_is_left_alone(capsys, server_cluster):
    url = server_cluster.create_database("invoicing")
    server_cluster.admin("SELECT 1")
    import psycopg

    with psycopg.connect(url, autocommit=True) as other:
        other.execute("CREATE TABLE invoice (id int)")
    error = refused(capsys, "find", "ann", "--db", url)
    assert "another program's tables" in error
    with psycopg.connect(url) as other:
        tables = other.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()[0]
    assert tables == 1
    server_cluster.drop_database("invoicing")


def test_a_server_set_up_by_a_newer_relapp_is_left_alone(capsys, server_cluster):
    import psycopg

    url = server_cluster.create_database("from_the_future", template="relapp_template")
    with psycopg.connect(url, autocommit=True) as other:
        other.execute("UPDATE relapp_schema SET version = 99")
    error = refused(capsys, "points", "1234", "--db", url)
    assert "newer Relapp (schema 99" in error
    with psycopg.connect(url) as other:
        assert other.execute("SELECT version FROM relapp_schema").fetchone()[0] == 99
    server_cluster.drop_database("from_the_future")


def test_an_unknown_server_name_is_one_sentence(capsys):
    error = refused(capsys, "find", "ann", "--db", "postgresql://relapp@nohost.invalid/shop")
    assert "not known on this network" in error
