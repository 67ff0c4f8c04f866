"""After the upgrade: the target serves, with every row and site file as before."""

import json
import os

import pytest
from nautobot_host import UNITS, fingerprint, health_status, installed_version

TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")


@pytest.fixture(scope="module")
def before(host):
    return json.loads(host.file("/var/lib/nautobot-ops-test/before.json").content_string)


def test_target_installed(host):
    assert installed_version(host) == TARGET


@pytest.mark.parametrize("unit", UNITS)
def test_unit_active(host, unit):
    assert host.service(unit).is_running


def test_health_served(host):
    assert health_status(host) == 200


def test_data_unchanged(host, before):
    assert fingerprint(host) == before["fingerprint"]


def test_site_files_unchanged(host, before):
    out = host.check_output(
        "cd /opt/nautobot && find jobs media uwsgi.ini nautobot_config.py local_requirements.txt -type f | sort | xargs sha256sum"
    )
    assert out.splitlines() == before["files"]


def test_local_requirements_in_new_venv(host):
    assert host.run("/opt/nautobot/bin/python -c 'import storages'").rc == 0


def test_no_pending_migrations(host):
    cmd = host.run("sudo -u nautobot -H env NAUTOBOT_ROOT=/opt/nautobot /opt/nautobot/bin/nautobot-server migrate --check")
    assert cmd.rc == 0, cmd.stderr


def test_previous_venv_kept_for_rollback(host):
    parked = host.file(f"/opt/nautobot/.nautobot-ops/venv-{FIXTURE}/bin/nautobot-server")
    assert parked.exists


def test_new_venv_scripts_point_into_root(host):
    shebang = host.file("/opt/nautobot/bin/nautobot-server").content_string.splitlines()[0]
    assert shebang.startswith("#!/opt/nautobot/bin/python")


def test_config_mode_kept(host):
    assert host.file("/opt/nautobot/nautobot_config.py").mode == 0o640
