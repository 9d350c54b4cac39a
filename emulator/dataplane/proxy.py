"""One listener of an application load balancer: a socket on the balancer's loopback address and port.

Each connection is first admitted or refused by the balancer's security groups (``admit``); a refused one is
reset at once (AWS drops the packets, so a real client waits for its connect timeout; here the refusal is
immediate so tests stay fast). An HTTPS listener then completes TLS with the listener's certificate. Each request
is routed by ``route`` (the listener's default action, read when the request arrives) and forwarded to the target
with ``http.client``, adding the headers an ALB adds
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html,
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-request-tracing.html). Errors the
balancer itself answers (502, 503, 504) have ALB's bodies and ``Server: awselb/2.0``
(https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-troubleshooting.html).
"""

from __future__ import annotations

import http.client
import logging
import secrets
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

_LOG = logging.getLogger(__name__)
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}
REASONS = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}


@dataclass(frozen=True)
class Forward:
    """Send the request to ``address`` (loopback, port); ``None`` address: the target cannot be reached."""

    address: tuple[str, int] | None
    protocol: str = "HTTP"


@dataclass(frozen=True)
class Fixed:
    """A response the balancer answers itself (fixed-response, redirect, or an error)."""

    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    location: str | None = None


@dataclass(frozen=True)
class Admission:
    """The outcome of the security group check: the client address for X-Forwarded-For, or refused."""

    admitted: bool
    client_ip: str = ""
    idle_timeout: float = 60.0


def error_page(status: int) -> Fixed:
    title = f"{status} {REASONS.get(status, 'Error')}"
    body = f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n</body>\r\n</html>\r\n"
    return Fixed(status, body.encode(), "text/html")


def trace_id() -> str:
    """X-Amzn-Trace-Id: Root=1-<epoch seconds, hex>-<96 random bits, hex>."""
    return f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"


class ListenerServer:
    """Accepts connections on (host, port) until ``stop``; never blocks a caller that holds the engine lock."""

    def __init__(
        self,
        host: str,
        port: int,
        protocol: str,
        admit: Callable[[str], Admission],
        route: Callable[[str, str], Forward | Fixed],
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.host, self.port, self.protocol = host, port, protocol
        self.admit, self.route, self.ssl_context = admit, route, ssl_context
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._stopped = False
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind((host, port))
            self._sock.listen(128)
        except OSError:
            self._sock.close()
            raise
        self._thread = threading.Thread(target=self._accept_loop, name=f"elb-listener-{host}:{port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the listening socket and every open connection (no waiting on handler threads)."""
        with self._lock:
            self._stopped = True
            connections = list(self._connections)
            self._connections.clear()
        for sock in [self._sock, *connections]:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, peer = self._sock.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self._serve, args=(conn, peer[0]), name="elb-connection", daemon=True).start()

    def _serve(self, conn: socket.socket, peer: str) -> None:
        with self._lock:
            if self._stopped:
                conn.close()
                return
            self._connections.add(conn)
        stream = conn
        try:
            admission = self.admit(peer)
            if not admission.admitted:
                reset(conn)
                return
            conn.settimeout(admission.idle_timeout)
            if self.ssl_context is not None:
                stream = self.ssl_context.wrap_socket(conn, server_side=True)
            _Handler(stream, (peer, 0), self, admission)
        except (OSError, ssl.SSLError):
            pass  # the client went away, or the TLS handshake failed
        except Exception:  # noqa: BLE001 - one broken connection must not stop the listener
            _LOG.exception("listener %s:%s failed on a connection", self.host, self.port)
        finally:
            with self._lock:
                self._connections.discard(conn)
            for sock in (stream, conn):
                try:
                    sock.close()
                except OSError:
                    pass


def reset(conn: socket.socket) -> None:
    """Close with RST (SO_LINGER 0): the client sees the connection refused at once."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, conn, client_address, listener: ListenerServer, admission: Admission):
        self.listener = listener
        self.admission = admission
        super().__init__(conn, client_address, listener)

    def log_message(self, format, *args):  # noqa: A002 - BaseHTTPRequestHandler's signature
        pass

    def __getattr__(self, name):
        if name.startswith("do_"):
            return self._proxy
        raise AttributeError(name)

    def _proxy(self) -> None:
        body = self._read_body()
        decision = self.listener.route(self.path, self.headers.get("Host") or "")
        if isinstance(decision, Fixed):
            self._answer(decision)
            return
        if decision.address is None:
            self._answer(error_page(504))  # nothing holds the target's IP: the connection attempt times out
            return
        try:
            status, reason, headers, data = self._forward(decision, body)
        except TimeoutError:
            self._answer(error_page(504))
            return
        except (OSError, http.client.HTTPException):
            self._answer(error_page(502))
            return
        self.send_response_only(status, reason)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def _forward(self, decision: Forward, body: bytes | None):
        host, port = decision.address
        timeout = self.admission.idle_timeout
        if decision.protocol == "HTTPS":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # ALB does not validate target certificates
            conn = http.client.HTTPSConnection(host, port, timeout=timeout, context=context)
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP]
        headers = [(k, v) for k, v in headers if k.lower() not in ("x-forwarded-proto", "x-forwarded-port")]
        forwarded = self.headers.get("X-Forwarded-For")
        headers = [(k, v) for k, v in headers if k.lower() != "x-forwarded-for"]
        client = self.admission.client_ip
        headers.append(("X-Forwarded-For", f"{forwarded}, {client}" if forwarded else client))
        headers.append(("X-Forwarded-Proto", self.listener.protocol.lower()))
        headers.append(("X-Forwarded-Port", str(self.listener.port)))
        if not self.headers.get("X-Amzn-Trace-Id"):
            headers.append(("X-Amzn-Trace-Id", trace_id()))
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            response = conn.getresponse()
            data = response.read()
            return response.status, response.reason, response.getheaders(), data
        finally:
            conn.close()

    def _answer(self, fixed: Fixed) -> None:
        self.send_response_only(fixed.status, REASONS.get(fixed.status))
        self.send_header("Server", "awselb/2.0")
        self.send_header("Date", self.date_time_string())
        if fixed.location:
            self.send_header("Location", fixed.location)
        self.send_header("Content-Type", fixed.content_type)
        self.send_header("Content-Length", str(len(fixed.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(fixed.body)
