"""Venv layout: the target serves from the new venv swapped into /opt/nautobot."""

from upgraded_checks import *  # noqa: F401,F403 - the checks every upgrade scenario makes
from upgraded_checks import FIXTURE


def test_previous_venv_kept_for_rollback(host):
    assert host.file(f"/opt/nautobot/.nautobot-ops/venv-{FIXTURE}/bin/nautobot-server").exists


def test_new_venv_scripts_point_into_root(host):
    shebang = host.file("/opt/nautobot/bin/nautobot-server").content_string.splitlines()[0]
    assert shebang.startswith("#!/opt/nautobot/bin/python")


def test_no_build_left_behind(host):
    assert host.run("ls -d /opt/nautobot/.nautobot-ops/venv-*").stdout.split() == [f"/opt/nautobot/.nautobot-ops/venv-{FIXTURE}"]
