"""The fixture host serves the older Nautobot, with the site's data and files."""

import os

import pytest
from nautobot_host import UNITS, fingerprint, health_status, installed_version

FIXTURE_VERSION = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")


@pytest.mark.parametrize("unit", UNITS + ("postgresql", "redis-server"))
def test_unit_active(host, unit):
    assert host.service(unit).is_running


def test_health_served(host):
    assert health_status(host) == 200


def test_installed_version(host):
    assert installed_version(host) == FIXTURE_VERSION


def test_data_present(host):
    data = fingerprint(host)
    assert data["dcim.location"]["count"] == 3
    assert data["dcim.device"]["count"] == 12
    assert data["users.token"]["count"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/opt/nautobot/nautobot_config.py",
        "/opt/nautobot/uwsgi.ini",
        "/opt/nautobot/local_requirements.txt",
        "/opt/nautobot/jobs/fixture_jobs.py",
        "/opt/nautobot/media/devicetype-images/ar-1000.png",
    ],
)
def test_site_files(host, path):
    f = host.file(path)
    assert f.exists and f.user == "nautobot"


def test_config_not_world_readable(host):
    assert host.file("/opt/nautobot/nautobot_config.py").mode == 0o640


def test_local_requirements_installed(host):
    assert host.run("/opt/nautobot/bin/python -c 'import storages'").rc == 0
