"""Command line: ``python -m emulator {start,stop,status,reset,serve} [--port N] [--state-dir DIR]``."""

import argparse
import sys

from emulator import daemon

COMMANDS = {
    "start": daemon.start,
    "stop": daemon.stop,
    "status": daemon.status,
    "reset": daemon.reset,
    "serve": daemon.serve,
}

HELP = """\
commands:
  start   start the emulator in the background (idempotent) and wait until it answers
  stop    stop it (idempotent): SIGTERM, then SIGKILL if needed
  status  exit 0 and print the endpoint if running, exit 3 if not
  reset   clear all emulated AWS state
  serve   run in the foreground until SIGTERM/SIGINT (what 'start' runs)

port: --port, else $EMULATOR_PORT, else 5000.  state dir (pid and log files): --state-dir,
else $EMULATOR_STATE_DIR, else ./.emulator
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emulator",
        description="Local AWS (moto + fidelity patches) on 127.0.0.1 for the bluegreen.ecs collection.",
        epilog=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument(
        "--port", type=int, default=None, help="TCP port on 127.0.0.1 (default: $EMULATOR_PORT or 5000)"
    )
    parser.add_argument(
        "--state-dir", default=None, help="where pid and log files go (default: $EMULATOR_STATE_DIR or .emulator)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = daemon.Settings.resolve(args.port, args.state_dir)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return COMMANDS[args.command](settings)
