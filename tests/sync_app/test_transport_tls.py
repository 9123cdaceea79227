"""TLS on loopback: ``ClientConfiguration(verify=...)`` reaches the HTTPS connection.

A real HTTPS server in a thread, with a certificate made for this test by ``openssl`` (signed
by nobody a trust store knows, as a workshop server's often is). ``verify`` is requests' own
setting: ``True`` checks the certificate against the system's trust store, a path trusts that
certificate file, ``False`` checks nothing.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sync_app.client import ClientConfiguration, SCIMClient
from sync_app.errors import ConnectError

CONFIG = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "patch": {"supported": True},
    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": 100},
    "changePassword": {"supported": False},
    "sort": {"supported": False},
    "etag": {"supported": False},
    "authenticationSchemes": [],
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        data = json.dumps(CONFIG).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/scim+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate: (base URL, certificate)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no certificate for the TLS server")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}/scim/v2", cert
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _ask(url: str, verify: bool | str) -> dict[str, Any]:
    config = ClientConfiguration(server_url=url, auth_token="t", verify=verify, retries=0)
    with SCIMClient(config) as client:
        return client.service_provider_config().to_dict()


def test_verify_a_certificate_file_trusts_that_server(https_server: tuple[str, Path]) -> None:
    """verify=<the server's certificate>: the exchange succeeds over HTTPS."""
    url, cert = https_server
    assert _ask(url, str(cert))["patch"] == {"supported": True}


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_accepts_any_certificate(https_server: tuple[str, Path]) -> None:
    """verify=False: a certificate nobody signed is accepted (for a lab, never in production)."""
    url, _cert = https_server
    assert _ask(url, False)["filter"]["maxResults"] == 100


def test_verify_true_refuses_an_unknown_certificate(https_server: tuple[str, Path]) -> None:
    """The default verify=True: a self-signed certificate is a ConnectError saying what to do."""
    url, _cert = https_server
    with pytest.raises(ConnectError) as caught:
        _ask(url, True)
    assert str(caught.value) == (
        f"Could not connect to {url} (its TLS certificate is not trusted here; for a server "
        "with a certificate authority of its own, pass "
        "ClientConfiguration(verify='/path/to/ca.pem')). Check that the server is running and "
        "that server_url is right."
    )
