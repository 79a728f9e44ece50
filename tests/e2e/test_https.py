"""HTTPS against real ``python -m em_mock`` processes: listeners, certificates, real TLS clients."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from veeam_em.manager import VeeamEm

from tests.conftest import ROOT, LiveServer
from tests.helpers import JSON, PASSWORD, USER, basic

READY_PREFIX = "em-mock ready: listening on "
FINGERPRINT = re.compile(r"SHA-256 ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})")
CERT_NAME, KEY_NAME = "em-mock-cert.pem", "em-mock-key.pem"
insecure_ok = pytest.mark.filterwarnings(
    "ignore::urllib3.exceptions.InsecureRequestWarning")


class Server(LiveServer):
    """A live em-mock whose ready line tells the certificate it serves."""

    def fingerprint(self) -> str:
        match = FINGERPRINT.search(self.ready)
        assert match, self.ready
        return match.group(1)

    def cert_path(self) -> Path:
        match = re.search(r"TLS certificate (\S+), SHA-256", self.ready)
        assert match, self.ready
        return Path(match.group(1))


def fingerprint_of(pem_path: Path) -> str:
    """SHA-256 of the certificate in ``pem_path``, as ``AB:CD:...``."""
    cert = x509.load_pem_x509_certificate(pem_path.read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def served_certificate(https_url: str) -> bytes:
    """The DER certificate the server presents (no verification)."""
    host, port = https_url.removeprefix("https://").rsplit(":", 1)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection((host, int(port)), timeout=10) as sock, \
            context.wrap_socket(sock, server_hostname=host) as tls:
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return der


def ca_context(pem_path: Path) -> ssl.SSLContext:
    """A verifying context that trusts exactly ``pem_path``."""
    return ssl.create_default_context(cafile=str(pem_path))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def hrefs(document: object) -> Iterator[str]:
    """Every ``Href`` value anywhere in a JSON document."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "Href" and isinstance(value, str):
                yield value
            else:
                yield from hrefs(value)
    elif isinstance(document, list):
        for value in document:
            yield from hrefs(value)


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tls") / "made-here"


@pytest.fixture(scope="module")
def both(tls_dir: Path) -> Iterator[Server]:
    """A server with both listeners and a certificate made at its first start."""
    server = Server(tls_dir=tls_dir)
    yield server
    server.stop()


def test_both_listeners_answer_side_by_side(both):
    assert set(both.urls) == {"http", "https"}
    assert both.url.rsplit(":", 1)[1] != both.https_url.rsplit(":", 1)[1]
    with httpx.Client(timeout=10) as plain, \
            httpx.Client(timeout=10, verify=ca_context(both.cert_path())) as tls:
        for _ in range(3):
            assert plain.get(both.url + "/api/").status_code == 200
            response = tls.get(both.https_url + "/api/")
            assert response.status_code == 200
            assert response.extensions["http_version"] == b"HTTP/1.1"


def test_plain_http_on_the_https_port_and_tls_on_the_http_port_fail(both):
    with pytest.raises(httpx.TransportError):
        httpx.get(both.https_url.replace("https://", "http://") + "/api/", timeout=5)
    with pytest.raises(httpx.TransportError):
        httpx.get(both.url.replace("http://", "https://") + "/api/", timeout=5, verify=False)


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_hrefs_use_the_scheme_and_port_the_client_came_in_on(both, scheme):
    base = both.urls[scheme]
    other = both.urls["https" if scheme == "http" else "http"]
    with httpx.Client(base_url=base, timeout=10,
                      verify=ca_context(both.cert_path())) as client:
        entry = client.get("/api/", headers=JSON).json()
        login = client.post("/api/sessionMngr/?v=latest", headers={"Authorization": basic(),
                                                                   **JSON})
        assert login.status_code == 201
        assert login.headers["Location"].startswith(base + "/api/logonSessions/")
        token = {"X-RestSvcSessionId": login.headers["X-RestSvcSessionId"], **JSON}
        query = client.get("/api/query?type=CloudFailoverSession&pageSize=200", headers=token)
        assert query.status_code == 200
        found = [*hrefs(entry), *hrefs(login.json()), *hrefs(query.json())]
        assert len(found) > 20
        for href in found:
            assert href.startswith(base + "/api/"), href
            assert not href.startswith(other)
        nxt = [lk["Href"] for lk in query.json()["PagingInfo"]["Links"] if lk["Rel"] == "Next"]
        assert nxt and client.get(nxt[0], headers=token).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_generated_certificate_verifies_when_trusted_as_ca(both, host):
    url = both.https_url.replace("127.0.0.1", host)
    response = httpx.get(url + "/api/", verify=ca_context(both.cert_path()), timeout=10)
    assert response.status_code == 200


def test_generated_certificate_is_not_trusted_by_default(both):
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(both.https_url + "/api/", timeout=10)


def test_ready_line_fingerprint_is_the_files_and_the_served_certificates(both, tls_dir):
    cert = tls_dir / CERT_NAME
    assert both.cert_path() == cert
    assert both.fingerprint() == fingerprint_of(cert)
    served = hashlib.sha256(served_certificate(both.https_url)).hexdigest().upper()
    assert both.fingerprint().replace(":", "") == served


def test_generated_key_is_private_to_the_owner(both, tls_dir):
    assert (tls_dir / KEY_NAME).stat().st_mode & 0o077 == 0


def test_certificate_is_reused_from_the_same_tls_dir(both, tls_dir):
    before = (tls_dir / CERT_NAME).read_bytes(), (tls_dir / KEY_NAME).read_bytes()
    again = Server(tls_dir=tls_dir)
    try:
        assert again.fingerprint() == both.fingerprint()
        assert served_certificate(again.https_url) == served_certificate(both.https_url)
    finally:
        again.stop()
    assert ((tls_dir / CERT_NAME).read_bytes(), (tls_dir / KEY_NAME).read_bytes()) == before


def _make_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "supplied by the test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "supplied-cert.pem", directory / "supplied-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_supplied_certificate_is_served_instead(tmp_path):
    cert, key = _make_certificate(tmp_path)
    unused = tmp_path / "unused-tls-dir"
    server = Server("--tls-cert", str(cert), "--tls-key", str(key), tls_dir=unused)
    try:
        assert server.cert_path() == cert
        assert server.fingerprint() == fingerprint_of(cert)
        der = x509.load_pem_x509_certificate(cert.read_bytes()).public_bytes(
            serialization.Encoding.DER)
        assert served_certificate(server.https_url) == der
        response = httpx.get(server.https_url + "/api/", verify=ca_context(cert), timeout=10)
        assert response.status_code == 200
        assert response.text.count(server.https_url + "/api/") >= 4
    finally:
        server.stop()
    assert not (unused / CERT_NAME).exists()


def test_no_https_turns_the_https_listener_off(tls_dir):
    port = free_port()
    server = Server("--no-https", "--https-port", str(port), tls_dir=tls_dir)
    try:
        assert set(server.urls) == {"http"}
        assert "https://" not in server.ready and "TLS certificate" not in server.ready
        assert httpx.get(server.url + "/api/", timeout=10).status_code == 200
        assert refused(port)
    finally:
        server.stop()


def test_no_http_turns_the_http_listener_off(both, tls_dir):
    port = free_port()
    server = Server("--no-http", "--port", str(port), tls_dir=tls_dir)
    try:
        assert set(server.urls) == {"https"}
        assert "http://" not in server.ready
        response = httpx.get(server.https_url + "/api/", verify=ca_context(both.cert_path()),
                             timeout=10)
        assert response.status_code == 200
        assert refused(port)
    finally:
        server.stop()


@pytest.mark.parametrize("given", ["--tls-cert", "--tls-key"])
def test_half_a_certificate_pair_exits_non_zero_with_a_clear_message(tmp_path, given):
    cert, _ = _make_certificate(tmp_path)
    done = subprocess.run([sys.executable, "-m", "em_mock", "--port", "0", "--https-port", "0",
                           "--tls-dir", str(tmp_path / "tls"), given, str(cert)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "--tls-cert and --tls-key go together" in done.stderr
    assert READY_PREFIX not in done.stdout


@insecure_ok
def test_veeam_em_client_over_https_without_verification(both):
    em = VeeamEm(api_endpoint=both.https_url, ssl_verify=False)
    token = em.get_token(USER, PASSWORD)
    assert len(token) == 48
    sessions = em.request("/logonSessions")["LogonSessions"]
    assert em.session_data["SessionId"] in [s["SessionId"] for s in sessions]
    assert all(href.startswith(both.https_url + "/api/") for href in hrefs(sessions))


def test_veeam_em_client_verifies_with_requests_ca_bundle(both, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(both.cert_path()))
    em = VeeamEm(api_endpoint=both.https_url, ssl_verify=True)
    token = em.get_token(USER, PASSWORD)
    assert len(token) == 48
    sessions = em.request("/logonSessions")["LogonSessions"]
    assert em.session_data["SessionId"] in [s["SessionId"] for s in sessions]


def test_veeam_em_client_refuses_the_certificate_without_the_bundle(both, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    em = VeeamEm(api_endpoint=both.https_url, ssl_verify=True)
    with pytest.raises(requests.exceptions.SSLError):
        em.get_token(USER, PASSWORD)
