"""Remote sources, against a real HTTP server on 127.0.0.1: what is fetched, refused, retried, dropped."""
from __future__ import annotations

import dataclasses
import os

import pytest

from tests.http_servers import make_certificates, serving
from transforms.store import fetch
from transforms.store.fetch import FetchError, FetchPolicy, address_problem, check_url
from transforms.core.types import DropReason as R

PAYLOAD = os.urandom(300_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    (folder / "video.mp4").write_bytes(PAYLOAD)
    with serving(str(folder), slow_seconds=5.0) as srv:
        yield srv


@pytest.fixture
def policy(server):
    # The explicit test-only exemption: this loopback address, this port. Fast retries.
    return FetchPolicy(allow_networks=("127.0.0.1/32",), allowed_ports=(80, 443, server.server_address[1]),
                       attempts=3, backoff_seconds=0.05, read_timeout=1.5, connect_timeout=5.0)


def _fetch(url, tmp_path, policy):
    dest = str(tmp_path / "out.bin")
    size = fetch.fetch_to_file(url, dest, policy)
    return size, open(dest, "rb").read()


def _refusal(url, tmp_path, policy) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch.fetch_to_file(url, str(tmp_path / "out.bin"), policy)
    assert not os.listdir(tmp_path)  # nothing half-written is left
    return caught.value


def test_a_public_looking_file_is_fetched_whole(server, tmp_path, policy):
    assert _fetch(server.base + "/files/video.mp4", tmp_path, policy) == (len(PAYLOAD), PAYLOAD)


def test_the_default_policy_refuses_the_loopback_server(server, tmp_path):
    default = fetch.DEFAULT_POLICY
    assert default == FetchPolicy()
    before = server.hits["/files/video.mp4"]
    err = _refusal(server.base + "/files/video.mp4", tmp_path, default)
    assert err.reason is R.REMOTE_REFUSED and "port" in err.detail
    # Even with the port opened, the address check alone refuses loopback.
    err = _refusal(server.base + "/files/video.mp4", tmp_path,
                   dataclasses.replace(default, allowed_ports=(server.server_address[1],)))
    assert err.reason is R.REMOTE_REFUSED and "127.0.0.0/8" in err.detail
    assert server.hits["/files/video.mp4"] == before  # never connected


def test_no_environment_setting_loosens_the_default_policy(server, tmp_path, monkeypatch):
    """The setting that once exempted loopback on any process that had it set (a worker too)."""
    port = server.server_address[1]
    monkeypatch.setenv("GVD_TEST_FETCH_POLICY",
                       f'{{"allow_networks": ["127.0.0.1/32"], "allowed_ports": [80, 443, {port}]}}')
    before = server.hits["/files/video.mp4"]
    with pytest.raises(FetchError) as caught:
        fetch.fetch_to_file(server.base + "/files/video.mp4", str(tmp_path / "out.bin"))
    assert caught.value.reason is R.REMOTE_REFUSED
    assert server.hits["/files/video.mp4"] == before  # never connected


@pytest.mark.parametrize("path, reason", [("/missing.mp4", R.REMOTE_HTTP_ERROR), ("/forbidden.mp4", R.REMOTE_HTTP_ERROR)])
def test_4xx_is_dropped_at_once(server, tmp_path, policy, path, reason):
    before = server.hits[path]
    err = _refusal(server.base + path, tmp_path, policy)
    assert err.reason is reason and "HTTP 4" in err.detail
    assert server.hits[path] - before == 1  # not retried


def test_5xx_is_retried_with_backoff_then_dropped(server, tmp_path, policy):
    before = server.hits["/error.mp4"]
    err = _refusal(server.base + "/error.mp4", tmp_path, policy)
    assert err.reason is R.REMOTE_UNAVAILABLE and "HTTP 500" in err.detail
    assert server.hits["/error.mp4"] - before == policy.attempts


def test_a_transient_5xx_recovers_on_retry(server, tmp_path, policy):
    assert _fetch(server.base + "/flaky/video.mp4", tmp_path, policy)[1] == PAYLOAD
    assert server.hits["/flaky/video.mp4"] == 3


def test_a_server_that_answers_too_slowly_is_dropped(server, tmp_path, policy):
    err = _refusal(server.base + "/slow.mp4", tmp_path, dataclasses.replace(policy, attempts=2))
    assert err.reason is R.REMOTE_UNAVAILABLE and "timed out" in err.detail.lower()


def test_an_endless_body_stops_at_the_byte_cap(server, tmp_path, policy):
    err = _refusal(server.base + "/endless.mp4", tmp_path, dataclasses.replace(policy, max_bytes=2_000_000))
    assert err.reason is R.REMOTE_TOO_LARGE


def test_a_declared_size_over_the_cap_is_refused_before_reading(server, tmp_path, policy):
    assert _refusal(server.base + "/huge.mp4", tmp_path, policy).reason is R.REMOTE_TOO_LARGE


@pytest.mark.parametrize("path, needle", [("/redirect-metadata.mp4", "169.254.0.0/16"),
                                          ("/redirect-private.mp4", "10.0.0.0/8")])
def test_a_redirect_to_a_private_address_is_refused(server, tmp_path, policy, path, needle):
    err = _refusal(server.base + path, tmp_path, policy)
    assert err.reason is R.REMOTE_REFUSED and needle in err.detail


def test_a_redirect_to_an_allowed_place_is_followed(server, tmp_path, policy):
    assert _fetch(server.base + "/redirect-ok/video.mp4", tmp_path, policy)[1] == PAYLOAD


def test_the_connection_goes_to_the_checked_address_with_the_name_in_host(server, tmp_path, policy):
    calls = []

    def resolve(host, port):
        calls.append(host)
        return ["127.0.0.1"]

    port = server.server_address[1]
    dest = str(tmp_path / "out.bin")
    fetch.fetch_to_file(f"http://videos.example.test:{port}/files/video.mp4", dest, policy, resolve=resolve)
    assert open(dest, "rb").read() == PAYLOAD
    assert calls == ["videos.example.test"]  # resolved once
    assert server.hosts[-1] == f"videos.example.test:{port}"


def test_one_private_answer_among_public_ones_refuses_the_host(policy):
    with pytest.raises(FetchError) as caught:
        check_url("http://rebind.example.test/v.mp4", FetchPolicy(),
                  resolve=lambda host, port: ["93.184.216.34", "127.0.0.1"])
    assert caught.value.reason is R.REMOTE_REFUSED


@pytest.mark.parametrize("url", ["ftp://example.com/v.mp4", "file:///etc/passwd", "gopher://example.com/",
                                 "http://example.com:8080/v.mp4", "https://example.com:22/v.mp4",
                                 "http://user:pw@example.com/v.mp4"])
def test_other_schemes_ports_and_credentials_are_refused(url):
    with pytest.raises(FetchError) as caught:
        check_url(url, FetchPolicy(), resolve=lambda host, port: ["93.184.216.34"])
    assert caught.value.reason is R.REMOTE_REFUSED


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "239.255.255.250", "255.255.255.255", "::1", "fe80::1", "fd00::1", "fc00::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "ff02::1", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1"])
def test_internal_addresses_are_refused(address):
    assert address_problem(address, FetchPolicy()) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address):
    assert address_problem(address, FetchPolicy()) is None


def test_a_local_write_error_raises_instead_of_dropping(server, tmp_path, policy):
    # The worker's own disk failing is transient: it must raise so that the runner retries the bundle.
    with pytest.raises(OSError):
        fetch.fetch_to_file(server.base + "/files/video.mp4", str(tmp_path / "no-such-dir" / "out.bin"), policy)


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    (folder / "video.mp4").write_bytes(PAYLOAD)
    ca, cert, key = make_certificates(str(folder), "videos.example.test")
    with serving(str(folder), tls=(cert, key)) as srv:
        yield srv, ca


def _tls_policy(port: int, ca: str = "") -> FetchPolicy:
    return FetchPolicy(allow_networks=("127.0.0.1/32",), allowed_ports=(443, port), ca_certs=ca,
                       attempts=1, connect_timeout=2.0, read_timeout=2.0)


def test_https_connects_to_the_checked_address_and_verifies_the_name(tls_server, tmp_path):
    server, ca = tls_server
    port = server.server_address[1]
    dest = str(tmp_path / "out.bin")
    fetch.fetch_to_file(f"https://videos.example.test:{port}/files/video.mp4", dest, _tls_policy(port, ca),
                        resolve=lambda host, p: ["127.0.0.1"])
    assert open(dest, "rb").read() == PAYLOAD
    assert server.hosts[-1] == f"videos.example.test:{port}"


def test_https_refuses_a_certificate_for_another_name(tls_server, tmp_path):
    server, ca = tls_server
    port = server.server_address[1]
    with pytest.raises(FetchError) as caught:
        fetch.fetch_to_file(f"https://elsewhere.example.test:{port}/files/video.mp4", str(tmp_path / "o"),
                            _tls_policy(port, ca), resolve=lambda host, p: ["127.0.0.1"])
    assert caught.value.reason is R.REMOTE_REFUSED and "TLS" in caught.value.detail


def test_https_refuses_a_certificate_the_system_does_not_trust(tls_server, tmp_path):
    server, _ = tls_server
    port = server.server_address[1]
    with pytest.raises(FetchError) as caught:
        fetch.fetch_to_file(f"https://videos.example.test:{port}/files/video.mp4", str(tmp_path / "o"),
                            _tls_policy(port), resolve=lambda host, p: ["127.0.0.1"])
    assert caught.value.reason is R.REMOTE_REFUSED and "TLS" in caught.value.detail
