# The two commands a new user needs: `make local` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
# make local talks to the emulator on 5000, make test to its own on 5100: they never share state.
LOCAL_PORT ?= 5000
TEST_PORT ?= 5100
ENV ?= local
# Seconds per emulated minute for make local: a canary's minute takes a tenth of a second.
LOCAL_MINUTE_SECONDS ?= 0.1

.PHONY: help venv local emulator-start emulator-stop test lint unit sanity molecule bench-app bench-release bench-converge build changelog clean

help:
	@echo "make local   set up, start the AWS emulator, build the stack on it (inventories/local)"
	@echo "make test    everything CI runs: lint, unit tests, ansible-test sanity, molecule"
	@echo "make lint | unit | sanity | molecule | bench-app | bench-release | build | changelog | emulator-stop | clean"

venv: $(STAMP) .collections/ansible_collections/bluegreen/ecs

$(STAMP): requirements.txt constraints.txt app/requirements.txt
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required (ansible 12 / ansible-core 2.19), found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -r app/requirements.txt -c constraints.txt
	scripts/install_postgresql.sh  # the emulator's RDS instances run Debian's PostgreSQL
	touch $@

# Lets ansible resolve bluegreen.ecs.* from this checkout (ansible.cfg collections_path).
.collections/ansible_collections/bluegreen/ecs:
	mkdir -p $(@D)
	ln -sfn ../../.. $@

emulator-start: venv
	EMULATOR_PORT=$(LOCAL_PORT) EMULATOR_MINUTE_SECONDS=$(LOCAL_MINUTE_SECONDS) $(BIN)/python -m emulator start

emulator-stop: venv
	EMULATOR_PORT=$(LOCAL_PORT) $(BIN)/python -m emulator stop

local: venv emulator-start
	EMULATOR_PORT=$(LOCAL_PORT) $(BIN)/ansible-playbook -i inventories/local playbooks/local.yml

# Each stage in turn, stopping at the first failure; the time of each at the end.
test: venv
	@times=""; for stage in lint unit sanity molecule; do \
	  start=$$(date +%s); $(MAKE) --no-print-directory $$stage || exit 1; \
	  times="$$times $$stage $$(( $$(date +%s) - start ))s"; done; echo "make test stage times:$$times"

lint: venv
	$(BIN)/yamllint --strict .
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/role_docs.py --check
	$(BIN)/hadolint Dockerfile
	$(BIN)/ansible-lint
	$(BIN)/antsibull-changelog lint
	$(BIN)/antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml

# Test files run PYTEST_WORKERS at a time (pytest-xdist; a file's tests stay on one worker, so a module's
# emulator and stack are built once). Each emulator claims its own loopback block (emulator/dataplane/network.py).
PYTEST_WORKERS ?= 2
unit: venv
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile tests

sanity: venv
	VENV=$(abspath $(VENV)) scripts/sanity.sh

# Scenarios run MOLECULE_JOBS at a time (default 2), each on its own emulator port from TEST_PORT up.
molecule: venv
	EMULATOR_PORT=$(TEST_PORT) $(BIN)/python scripts/molecule_all.py

# Installs wrk, golang-go and golang-github-rs-zerolog-dev with apt-get when missing (the Go baseline).
bench-app: venv
	$(BIN)/python bench/app_bench.py

bench-release: venv
	$(BIN)/python bench/release_bench.py

# site.yml on a converged inventories/prd: no-op and plan seconds per managed resource (--profile: per role).
bench-converge: venv
	$(BIN)/python bench/converge_bench.py

build: venv
	$(BIN)/ansible-galaxy collection build --force

# CHANGELOG.md and changelogs/changelog.yaml for galaxy.yml's version from changelogs/fragments (run again for
# the same version to add fragments that came later). The plugin cache it writes is not YAML yamllint accepts.
changelog: venv
	$(BIN)/antsibull-changelog release --version $$($(BIN)/python -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')
	rm -f changelogs/.plugin-cache.yaml

clean:
	-EMULATOR_PORT=$(LOCAL_PORT) $(BIN)/python -m emulator stop
	rm -rf .collections .emulator tests/output .pytest_cache .ruff_cache bluegreen-ecs-*.tar.gz
