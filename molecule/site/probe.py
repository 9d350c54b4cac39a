"""Ask a URL again and again until a file appears, then print what answered: python probe.py URL STOP_FILE.

The migration check (verify.yml) runs it in the background against web's production listener while web moves
from CodeDeploy to ECS-native blue/green, to show that production answers throughout. Prints one JSON object:
{"requests": n, "statuses": {"200": n, ...}, "first_failures": ["<time> <status or error>", ...]}.
"""

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

INTERVAL = 0.05
TIMEOUT = 5
LIMIT_SECONDS = 900  # never run on if the playbook that should stop it died


def ask(url):
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:  # noqa: S310 - http to the emulated ALB
            answer.read()
            return str(answer.status)
    except urllib.error.HTTPError as e:
        return str(e.code)
    except OSError as e:
        return f"error {e}"


def main(url, stop):
    statuses, failures = {}, []
    started = time.monotonic()
    while not Path(stop).exists() and time.monotonic() - started < LIMIT_SECONDS:
        status = ask(url)
        statuses[status] = statuses.get(status, 0) + 1
        if status != "200" and len(failures) < 10:
            failures.append(f"{time.monotonic() - started:.2f} s {status}")
        time.sleep(INTERVAL)
    print(json.dumps({"requests": sum(statuses.values()), "statuses": statuses, "first_failures": failures}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
