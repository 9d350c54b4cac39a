"""Serve ``app.wsgi:application`` with a server that has no command line of its own (bench only)."""

import os
import sys

from app.wsgi import application

HOST = "127.0.0.1"


def main(name: str) -> None:
    port = int(os.environ["PORT"])
    threads = int(os.environ.get("SERVER_THREADS", "4"))
    if name == "bjoern":
        import bjoern  # pylint: disable=import-outside-toplevel

        bjoern.run(application, HOST, port)
    elif name == "waitress":
        import waitress  # pylint: disable=import-outside-toplevel

        waitress.serve(application, host=HOST, port=port, threads=threads, _quiet=True)
    elif name == "cheroot":
        from cheroot import wsgi  # pylint: disable=import-outside-toplevel

        wsgi.Server((HOST, port), application, numthreads=threads).safe_start()
    else:
        sys.exit(f"unknown server {name}")


if __name__ == "__main__":
    main(sys.argv[1])
