#!/bin/sh
# Debian's PostgreSQL server, which the emulator runs for each RDS instance (emulator/dataplane/postgres.py).
# Idempotent: nothing to do when a server is installed. Needs root and apt-get otherwise (make venv calls it).
set -eu
if ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && getent passwd postgres >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "needed for the emulator's RDS: sudo apt-get install -y postgresql (Debian/Ubuntu's PostgreSQL server)" >&2
  exit 1
fi
echo "installing postgresql with apt-get"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
