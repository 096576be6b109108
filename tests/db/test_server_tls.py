"""A shop server reached over the network encrypts when the URL asks for it (libpq's
sslmode), and a certificate the till cannot trust is one sentence, not a connection."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess

import psycopg
import pytest

from relapp.db.models import database
from relapp.db.server.connection import open_server_database
from relapp.errors import DatabaseUnavailable
from tests.server_cluster import ThrowawayCluster


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def tls_cluster(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make the test server's certificate", pytrace=False)
    port = free_port()
    cluster = ThrowawayCluster()
    cluster.start()  # initdb; restarted below with its certificate and a TCP port
    cluster.stop()
    cluster.options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c ssl=on"
        " -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
    )
    subprocess.run(
        ["openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", "/CN=localhost",
         "-keyout", str(cluster.data / "server.key"), "-out", str(cluster.data / "server.crt")],
        check=True, capture_output=True,
    )  # fmt: skip
    os.chmod(cluster.data / "server.key", 0o600)
    if cluster.user:
        for name in ("server.key", "server.crt"):
            shutil.chown(cluster.data / name, cluster.user, cluster.user)
    cluster.start()
    yield cluster, port
    cluster.remove()


def test_sslmode_require_gives_an_encrypted_connection(tls_cluster):
    _, port = tls_cluster
    with psycopg.connect(
        f"postgresql://relapp@127.0.0.1:{port}/postgres?sslmode=require", autocommit=True
    ) as admin:
        admin.execute("CREATE DATABASE tls_shop")
    url = f"postgresql://relapp@127.0.0.1:{port}/tls_shop?sslmode=require"
    db = open_server_database(url, create=True)
    encrypted = database.execute_sql(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    ).fetchone()[0]
    db.close()
    assert encrypted is True


def test_a_certificate_the_till_cannot_check_is_refused_in_one_sentence(tls_cluster, tmp_path):
    _, port = tls_cluster
    url = (
        f"postgresql://relapp@127.0.0.1:{port}/postgres?sslmode=verify-full"
        f"&sslrootcert={tmp_path / 'nobody.crt'}"
    )
    with pytest.raises(DatabaseUnavailable, match="Cannot use the shop server") as refused:
        open_server_database(url)
    assert "\n" not in str(refused.value)
