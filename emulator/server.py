"""The emulator's HTTP server: moto's WSGI app behind a thin middleware, bound to 127.0.0.1 only."""

import json
import os
import threading

import moto
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from emulator import HOST, SERVICE_ID, dataplane, patches
from emulator.dataplane import network
from emulator.patches import connections
from emulator.probe import HEALTH_PATH

RESET_PATH = "/moto-api/reset"


class QuietRequestHandler(MotoRequestHandler):
    """Request handler that does not log every request (used by tests)."""

    def log_request(self, code="-", size="-"):
        pass


class EmulatorApp:
    """WSGI middleware: health probe, CodeStar connections, full reset; everything else goes to moto."""

    def __init__(self, patch_names: list[str]):
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self.patch_names = patch_names

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == HEALTH_PATH:
            doc = {"service": SERVICE_ID, "pid": os.getpid(), "moto": moto.__version__, "patches": self.patch_names}
            body = json.dumps(doc).encode("utf-8")
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if connections.handles(environ):
            return connections.handle(environ, start_response)
        if path == RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            dataplane.reset()  # tasks and listeners first: they read the state that is about to go
            result = self.moto_app(environ, start_response)
            patches.reset_state()
            return result
        return self.moto_app(environ, start_response)


class EmulatorServer:
    """A threaded werkzeug server for EmulatorApp. port=0 picks a free port (see .port)."""

    def __init__(self, port: int = 0, quiet: bool = False):
        self.patches = patches.apply()
        handler = QuietRequestHandler if quiet else MotoRequestHandler
        self._server = make_server(HOST, port, EmulatorApp(self.patches), threaded=True, request_handler=handler)
        self._thread: threading.Thread | None = None
        network.BOOK.configure(self.port)  # this emulator's own block of loopback addresses

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        # A short poll interval makes shutdown (and so 'stop') quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="emulator-http", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        dataplane.stop_all()  # nothing the emulator started may outlive it
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
