"""A server that echoes every request back in its answer, as some proxies and error pages do.

It answers any method and path with ``status`` and a body repeating the request line, every
header (``Authorization`` included) and the request body, as JSON-looking text, so whatever a
client sent, credentials included, comes back in the error the client raises.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Echo(BaseHTTPRequestHandler):
    status = 401

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        echoed = f"{self.command} {self.path}\n{self.headers}\n".encode() + body
        text = (
            b'{"status": "error", "message": "echo: '
            + echoed.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b" ")
            + b'", "error": "invalid_auth", "errorCode": "INVALID_SESSION_ID"}'
        )
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


def self_signed_context(folder: Path) -> ssl.SSLContext:
    """A server TLS context with a freshly made self-signed certificate (no client trusts it)."""
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@contextmanager
def echo_server(status: int = 401, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve on 127.0.0.1 (a free port); yield its base URL ``http://127.0.0.1:PORT`` (https
    with a certificate from ``tls``)."""
    handler = type("_EchoStatus", (_Echo,), {"status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
