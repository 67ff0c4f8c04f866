"""Checks every upgrade scenario makes after converge: the target serves, with every row and
site file as before. Scenario test files import these (pytest collects them there)."""

import json
import os

import pytest
from nautobot_host import ROOT, UNITS, health_status, installed_version, site_state

TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
SITE_FILES = "jobs media uwsgi.ini nautobot_config.py local_requirements.txt"


@pytest.fixture(scope="module")
def before(host):
    return json.loads(host.file("/var/lib/nautobot-ops-test/before.json").content_string)


def venv_of(host):
    """The venv the units run: the root itself, or <release>/venv in the release layout."""
    return f"{ROOT}/venv" if host.file(f"{ROOT}/venv/bin/python").exists else ROOT


def test_target_installed(host):
    assert installed_version(host, venv_of(host)) == TARGET


@pytest.mark.parametrize("unit", UNITS)
def test_unit_active(host, unit):
    assert host.service(unit).is_running


def test_health_served(host):
    assert health_status(host) == 200


@pytest.fixture(scope="module")
def after(host):
    """The data and the migration state on the target, read in one Django boot."""
    return site_state(host, venv_of(host))


def test_data_unchanged(before, after):
    after = after["fingerprint"]
    changed = {key: (before["fingerprint"].get(key), after.get(key)) for key in set(after) | set(before["fingerprint"])
               if after.get(key) != before["fingerprint"].get(key)}
    assert not changed, changed


def test_site_files_unchanged(host, before):
    out = host.check_output(f"cd {ROOT}/ && find {SITE_FILES} -type f | sort | xargs sha256sum")
    assert out.splitlines() == before["files"]


def test_site_files_owned_by_nautobot(host):
    out = host.check_output(f"cd {ROOT}/ && find {SITE_FILES} ! -user nautobot")
    assert out == ""


def test_config_mode_kept(host):
    assert host.file(f"{ROOT}/nautobot_config.py").mode == 0o640


def test_local_requirements_in_new_venv(host):
    assert host.run(f"{venv_of(host)}/bin/python -c 'import storages'").rc == 0


def test_no_pending_migrations(after):
    assert after["pending"] == []
