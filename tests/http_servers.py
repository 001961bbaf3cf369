"""A real HTTP server on 127.0.0.1 for the tests of remote sources: files, errors, slowness, redirects."""
from __future__ import annotations

import collections
import contextlib
import http.server
import os
import ssl
import threading
import time
from typing import Iterator


class _Handler(http.server.BaseHTTPRequestHandler):
    server: "_Server"

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802 - the http.server name
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        self.server.hosts.append(self.headers.get("Host", ""))
        if path.startswith("/files/"):
            name = os.path.basename(path)
            full = os.path.join(self.server.folder, name)
            if not os.path.isfile(full):
                return self._status(404)
            with open(full, "rb") as handle:
                data = handle.read()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif path == "/missing.mp4":
            self._status(404)
        elif path == "/forbidden.mp4":
            self._status(403)
        elif path == "/error.mp4":
            self._status(500)
        elif path.startswith("/flaky/"):  # fails twice, then serves the file
            if self.server.hits[path] <= 2:
                return self._status(503)
            self.path = "/files/" + os.path.basename(path)
            self.server.hits[self.path] -= 1
            self.do_GET()
        elif path.startswith("/changing/"):  # the named file once, then a playlist
            if self.server.hits[path] > 1:
                body = b"#EXTM3U\n#EXTINF:2,\n/etc/hostname\n#EXT-X-ENDLIST\n"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                return self.wfile.write(body)
            self.path = "/files/" + os.path.basename(path)
            self.server.hits[self.path] -= 1
            self.do_GET()
        elif path == "/slow.mp4":  # answers only after a long pause
            time.sleep(self.server.slow_seconds)
            self._status(200)
        elif path == "/redirect-metadata.mp4":
            self._redirect("http://169.254.169.254/computeMetadata/v1/instance/service-accounts/default/token")
        elif path == "/redirect-private.mp4":
            self._redirect("http://10.1.2.3/video.mp4")
        elif path.startswith("/redirect-ok/"):
            self._redirect("/files/" + os.path.basename(path))
        elif path == "/huge.mp4":
            self.send_response(200)
            self.send_header("Content-Length", str(10 ** 12))
            self.end_headers()
        elif path == "/endless.mp4":  # no length, bytes forever
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                pass
        else:
            self._status(404)

    def _status(self, code: int):
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # the pipeline opens many connections at once; the default backlog is 5

    def __init__(self, folder: str, slow_seconds: float):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.folder = folder
        self.slow_seconds = slow_seconds
        self.hits: collections.Counter = collections.Counter()
        self.hosts: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


def make_certificates(folder: str, name: str) -> tuple[str, str, str]:
    """A test CA and a certificate it signs for `name`: (ca.pem, cert.pem, key.pem)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = tuple(os.path.join(folder, n) for n in ("ca.pem", "cert.pem", "key.pem"))
    with open(paths[0], "wb") as handle:
        handle.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths[1], "wb") as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths[2], "wb") as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return paths


@contextlib.contextmanager
def serving(folder: str, slow_seconds: float = 5.0, tls: tuple[str, str] = ()) -> Iterator[_Server]:
    """Serve `folder` on 127.0.0.1; with tls=(certfile, keyfile), over HTTPS."""
    server = _Server(folder, slow_seconds)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
