"""Fetching http/https sources to a local file, without letting a URL reach inside the network.

A manifest is untrusted: a URL could name the GCE metadata server (169.254.169.254, which hands
out tokens on Dataflow workers), a service on the VPC, or redirect there. So: http and https
only, ports 80 and 443 only; the host is resolved once and every address it resolves to must be
public; the connection goes to that checked address (the name is kept for the Host header, SNI
and the certificate check), so a second DNS answer cannot swap it; every redirect is checked the
same way; bytes and time are capped.

Failures are classified. A refused URL, a 4xx answer or a file over the byte cap is permanent:
FetchError, which becomes a drop record. 5xx answers, timeouts and resets are retried here with
backoff; if the server is still failing after the attempts, that also becomes a drop
(`remote_unavailable`) rather than failing the whole job over one origin we do not control:
rerunning retries it, and the gate reports it. A local disk error (disk full) is not caught: it
raises, and the runner retries the bundle.

The policy is an object handed to the stages that fetch (ProbeVideos, CutClips), never read from
the environment or a flag: nothing on a worker can loosen the address checks. Tests that serve
sources on 127.0.0.1 pass a policy that exempts that address; the default refuses it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import os
import socket
import time
import urllib.parse
import uuid
from typing import Callable, Optional

import urllib3

from transforms.core.errors import DropError
from transforms.core.types import DropReason

_CHUNK = 1024 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_TRANSIENT_STATUS = frozenset({408, 425, 429}) | frozenset(range(500, 600))
# Not global, and not caught by ipaddress's flags on every Python version.
_FORBIDDEN_NETWORKS = tuple(ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16",
    "fc00::/7", "fe80::/10", "ff00::/8"))


class FetchError(DropError):
    """A remote source that will not be fetched: the row is dropped with `reason`."""


@dataclasses.dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int = 8 * 1024 ** 3        # well over any source worth cutting to 100 MB clips
    connect_timeout: float = 10.0
    read_timeout: float = 60.0            # seconds without a byte
    deadline_seconds: float = 3600.0      # the whole download, redirects and retries included
    attempts: int = 4
    backoff_seconds: float = 1.0          # doubles after each failed attempt
    max_redirects: int = 5
    allowed_ports: tuple[int, ...] = (80, 443)
    allow_networks: tuple[str, ...] = ()  # networks exempt from the address check (tests' loopback)
    ca_certs: str = ""                    # a CA bundle instead of the system's (tests' own CA)


DEFAULT_POLICY = FetchPolicy()


def address_problem(address: str, policy: FetchPolicy) -> Optional[str]:
    """Why a connection to this IP address is refused, or None when it is a public address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in ipaddress.ip_network(n) for n in policy.allow_networks):
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return "an IPv4-mapped IPv6 address"
    for network in _FORBIDDEN_NETWORKS:
        if ip.version == network.version and ip in network:
            return f"in {network} (private, loopback, link-local, CGNAT, multicast or reserved)"
    if not ip.is_global:
        return "not a public address"
    return None


@dataclasses.dataclass(frozen=True)
class Target:
    scheme: str
    host: str           # as written, for Host, SNI and the certificate
    port: int
    address: str        # the checked IP we connect to
    path: str           # path and query


Resolver = Callable[[str, int], list[str]]


def _resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str, policy: FetchPolicy, resolve: Resolver = _resolve) -> Target:
    """Resolve the URL's host once and check everything about where it leads; FetchError if refused."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(DropReason.REMOTE_REFUSED, f"{url}: only http and https are fetched, not {scheme!r}")
    if parts.username or parts.password:
        raise FetchError(DropReason.REMOTE_REFUSED, f"{url}: credentials in URLs are not accepted")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError(DropReason.REMOTE_REFUSED, f"{url}: the port is not a number") from None
    if port not in policy.allowed_ports:
        raise FetchError(DropReason.REMOTE_REFUSED, f"{url}: port {port} is not allowed (only 80 and 443)")
    host = parts.hostname or ""
    if not host:
        raise FetchError(DropReason.REMOTE_REFUSED, f"{url}: no host")
    try:
        addresses = resolve(host, port)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchError(DropReason.REMOTE_UNAVAILABLE, f"{url}: cannot resolve {host!r}: {err}") from None
    if not addresses:
        raise FetchError(DropReason.REMOTE_UNAVAILABLE, f"{url}: {host!r} resolves to no address")
    for address in addresses:  # one bad answer is enough: DNS rebinding mixes them
        problem = address_problem(address, policy)
        if problem:
            raise FetchError(DropReason.REMOTE_REFUSED, f"{url}: {host} resolves to {address}, which is {problem}; "
                                                        "only public addresses are fetched")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, address=addresses[0], path=path)


class _Transient(Exception):
    """One attempt failed in a way that another attempt may not."""


def fetch_to_file(url: str, dest: str, policy: FetchPolicy = DEFAULT_POLICY,
                  resolve: Resolver = _resolve) -> int:
    """Download `url` into the local file `dest`; return its size. FetchError when refused or failed."""
    deadline = time.monotonic() + policy.deadline_seconds
    delay = policy.backoff_seconds
    last = ""
    for attempt in range(1, policy.attempts + 1):
        try:
            return _attempt(url, dest, policy, resolve, deadline)
        except _Transient as err:
            last = str(err)
        if attempt < policy.attempts:
            if time.monotonic() + delay > deadline:
                break
            time.sleep(delay)
            delay *= 2
    raise FetchError(DropReason.REMOTE_UNAVAILABLE,
                     f"{url}: still failing after {attempt} attempts ({last}); rerun later or fix the server")


def _attempt(url: str, dest: str, policy: FetchPolicy, resolve: Resolver, deadline: float) -> int:
    current = url
    for _ in range(policy.max_redirects + 1):
        target = check_url(current, policy, resolve)
        pool, response = _open(target, policy)
        try:
            if response.status in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(DropReason.REMOTE_HTTP_ERROR, f"{current}: redirect without a Location")
                current = urllib.parse.urljoin(current, location)
                continue  # checked again, from scratch, at the top of the loop
            if response.status in _TRANSIENT_STATUS:
                raise _Transient(f"HTTP {response.status} from {current}")
            if response.status != 200:
                raise FetchError(DropReason.REMOTE_HTTP_ERROR,
                                 f"{current}: the server answered HTTP {response.status}; fix the URL")
            return _save(response, current, dest, policy, deadline)
        finally:
            response.release_conn()
            pool.close()
    raise FetchError(DropReason.REMOTE_HTTP_ERROR, f"{url}: more than {policy.max_redirects} redirects")


def _open(target: Target, policy: FetchPolicy):
    timeout = urllib3.Timeout(connect=policy.connect_timeout, read=policy.read_timeout)
    common = dict(host=target.address, port=target.port, timeout=timeout, retries=False, maxsize=1)
    if target.scheme == "https":
        # Connect to the checked address, but send the name (SNI) and verify the certificate for it.
        pool = urllib3.HTTPSConnectionPool(server_hostname=target.host, assert_hostname=target.host,
                                           cert_reqs="CERT_REQUIRED", ca_certs=policy.ca_certs or None, **common)
    else:
        pool = urllib3.HTTPConnectionPool(**common)
    host_header = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    if ":" in target.host:
        host_header = f"[{target.host}]" if target.port in (80, 443) else f"[{target.host}]:{target.port}"
    try:
        return pool, pool.urlopen("GET", target.path,
                                  headers={"Host": host_header, "User-Agent": "gemini-video-dataset"},
                                  redirect=False, retries=False, preload_content=False, decode_content=False)
    except urllib3.exceptions.SSLError as err:
        pool.close()
        raise FetchError(DropReason.REMOTE_REFUSED, f"{target.host}: TLS failed: {err}") from None
    except (urllib3.exceptions.HTTPError, OSError) as err:  # timeouts, resets, refused connections
        pool.close()
        raise _Transient(f"{type(err).__name__}: {err}") from None


def _save(response, url: str, dest: str, policy: FetchPolicy, deadline: float) -> int:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(DropReason.REMOTE_TOO_LARGE, f"{url}: {declared} bytes, over the {policy.max_bytes}-byte cap")
    written = 0
    tmp = f"{dest}.part-{uuid.uuid4().hex}"
    try:
        with open(tmp, "wb") as out:  # an OSError here (disk full) is the worker's: it raises
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (urllib3.exceptions.HTTPError, OSError) as err:
                    raise _Transient(f"{type(err).__name__} while reading: {err}") from None
                if not chunk:
                    break
                written += len(chunk)
                if written > policy.max_bytes:
                    raise FetchError(DropReason.REMOTE_TOO_LARGE,
                                     f"{url}: over the {policy.max_bytes}-byte cap")
                if time.monotonic() > deadline:
                    raise FetchError(DropReason.REMOTE_UNAVAILABLE,
                                     f"{url}: the download took longer than {policy.deadline_seconds:.0f}s")
                out.write(chunk)
        if declared and declared.isdigit() and written != int(declared):
            raise _Transient(f"{url}: got {written} of {declared} bytes")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return written


def fetch_to_dir(url: str, folder: str, policy: FetchPolicy = DEFAULT_POLICY) -> str:
    """Download into a new file in `folder` (keeping the URL's extension); return its path."""
    ext = os.path.splitext(urllib.parse.urlsplit(url).path)[1][:16]
    dest = os.path.join(folder, uuid.uuid4().hex + ext)
    fetch_to_file(url, dest, policy)
    return dest


def content_identity(path: str) -> str:
    """Size and content hash of a fetched file: names its outputs (a URL has no reliable mtime)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return f"{os.path.getsize(path)}-{digest.hexdigest()[:20]}"
