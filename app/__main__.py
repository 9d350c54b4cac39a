"""``python -m app``: validate the environment, then run the production server."""

import sys

from app.config import ConfigError, load_settings


def main() -> int:
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"app: configuration error: {exc}", file=sys.stderr)
        return 2
    from app.server import serve  # pylint: disable=import-outside-toplevel  # keeps config errors fast

    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())
