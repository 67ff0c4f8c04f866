# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
BUILD := $(CURDIR)/.build
# Nautobot the test hosts start with, and the release they are upgraded to.
FIXTURE_VERSION ?= 3.1.0
TARGET_VERSION ?= 3.2.7
# molecule/major: a host a major version behind (the latest 2.4), upgraded through each release of the path.
MAJOR_FIXTURE_VERSION ?= 2.4.44
MAJOR_PATH ?= 3.1.8,$(TARGET_VERSION)
# molecule/major_v1, run by name (make molecule SCENARIOS=major_v1): Nautobot 1.x -> 2.4.
MAJOR_V1_FIXTURE_VERSION ?= $(if $(filter major_v1,$(SCENARIOS)),1.6.32,)
MAJOR_V1_TARGET_VERSION ?= 2.4.44
# Every folder of molecule/, in the order they build on each other.
SCENARIOS ?= fixture modules bad_input default debian13 release_archive release_git faults interrupted major cluster ee
# Debian releases the test hosts run (bookworm = Debian 12, trixie = Debian 13).
SUITES ?= bookworm trixie

# The collection is found through a link, so edits in this tree are what runs.
export ANSIBLE_COLLECTIONS_PATH := $(BUILD)/collections
export PATH := $(BIN):$(PATH)
export NAUTOBOT_OPS_FIXTURE_VERSION := $(FIXTURE_VERSION)
export NAUTOBOT_OPS_TARGET_VERSION := $(TARGET_VERSION)
export NAUTOBOT_OPS_SUITES := $(SUITES)
export NAUTOBOT_OPS_MAJOR_FIXTURE_VERSION := $(MAJOR_FIXTURE_VERSION)
export NAUTOBOT_OPS_MAJOR_PATH := $(MAJOR_PATH)
export NAUTOBOT_OPS_MAJOR_V1_FIXTURE_VERSION := $(MAJOR_V1_FIXTURE_VERSION)
export NAUTOBOT_OPS_MAJOR_V1_TARGET_VERSION := $(MAJOR_V1_TARGET_VERSION)
export SCENARIOS

.PHONY: help venv collection testbed lint unit sanity molecule test demo demo-clean bench build ee clean

help:
	@echo "make demo   start a test host with Nautobot $(FIXTURE_VERSION) and upgrade it with playbooks/upgrade.yml"
	@echo "make test   lint, unit tests, sanity, molecule scenarios ($(SCENARIOS)) on real systemd hosts"
	@echo "make bench  time the role against the documented manual upgrade ($(FIXTURE_VERSION) -> $(TARGET_VERSION), downtime probed)"
	@echo "make build  build the collection tarball"
	@echo "make ee     the execution environment's build context for AWX / AAP (.build/ee, ansible-builder)"

# .venv links to a venv in the cache, built once per requirements-dev.txt and Python (tests/venv.sh).
venv:
	bash tests/venv.sh $(VENV) $(PYTHON) requirements-dev.txt

collection:
	mkdir -p $(BUILD)/collections/ansible_collections/nautobot_ops
	ln -sfn $(CURDIR) $(BUILD)/collections/ansible_collections/nautobot_ops/lifecycle

testbed:
	bash testbed/prepare.sh

lint: venv collection
	$(BIN)/yamllint -s .
	$(BIN)/ansible-lint

unit: venv collection
	$(BIN)/python -m pytest tests/unit -q --junitxml=$(BUILD)/junit/unit.xml

sanity: venv
	bash tests/sanity.sh

molecule: venv collection testbed
	for s in $(SCENARIOS); do $(BIN)/molecule test -s $$s; done

build: venv
	$(BIN)/ansible-galaxy collection build --force --output-path $(BUILD)

test: venv collection
	bash tests/run.sh

demo: venv collection
	bash testbed/demo.sh

bench: venv collection testbed
	$(BIN)/python testbed/bench/bench.py --image nautobot-ops/fixture:debian12-$(FIXTURE_VERSION) \
	  --wheelhouse $(BUILD)/wheelhouse/debian12 --from $(FIXTURE_VERSION) --to $(TARGET_VERSION) $(BENCH_ARGS)

ee: build
	$(BIN)/ansible-builder create --file execution-environment.yml --context $(BUILD)/ee

demo-clean:
	docker rm -f nautobot-demo >/dev/null 2>&1 || true

clean: demo-clean
	rm -rf $(BUILD) .pytest_cache
