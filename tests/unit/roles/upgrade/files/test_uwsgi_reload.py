"""roles/upgrade/files/uwsgi_reload.py: when the web unit may be reloaded instead of restarted.

The ini texts are the fixture's (the upstream services guide's, HTTP router on loopback) and the
cluster scenario's rewrite of it; what they decide was observed on the test hosts: with the
router, connections are refused for the ~7 s of the reload; without binary-path, the re-executed
master runs /usr/bin/python3.11, cannot import nautobot and the unit dies (RestartSec=30 later it
comes back).
"""

import json
import pathlib
import subprocess
import sys

import pytest

TOP = pathlib.Path(__file__).resolve().parents[5]
SCRIPT = TOP / "roles/upgrade/files/uwsgi_reload.py"
FIXTURE_INI = (TOP / "testbed/fixture/files/uwsgi.ini").read_text()
# As `systemctl show --property=ExecStart --property=ExecReload nautobot.service` prints them.
SERVER = "/opt/nautobot/bin/nautobot-server"
EXEC_START = f"ExecStart={{ path={SERVER} ; argv[]={SERVER} start --pidfile /var/tmp/nautobot.pid --ini {{ini}} ; ignore_errors=no }}"
EXEC_RELOAD = f"ExecReload={{ path={SERVER} ; argv[]={SERVER} start --reload /var/tmp/nautobot.pid ; ignore_errors=no }}"
SHARED = FIXTURE_INI.replace(
    "http = 127.0.0.1:8080", "shared-socket = 127.0.0.1:8080\nhttp = =0\nbinary-path = /opt/nautobot/bin/python3"
)


def decide(tmp_path, ini_text, exec_reload=EXEC_RELOAD, venv="/opt/nautobot", unit_type="Type=simple"):
    ini = tmp_path / "uwsgi.ini"
    ini.write_text(ini_text)
    run = subprocess.run(
        [sys.executable, str(SCRIPT), EXEC_START.replace("{ini}", str(ini)), exec_reload, venv, unit_type],
        capture_output=True, text=True, check=True,
    )
    return json.loads(run.stdout)


def test_upstream_ini_is_restarted_and_says_why(tmp_path):
    result = decide(tmp_path, FIXTURE_INI)
    assert result["reload"] is False
    assert any("binary-path" in why for why in result["why"])
    assert any("`http =` router" in why for why in result["why"])


def test_shared_socket_with_binary_path_is_reloaded(tmp_path):
    assert decide(tmp_path, SHARED) == {"reload": True, "signal": True, "ini": str(tmp_path / "uwsgi.ini"), "why": []}


@pytest.mark.parametrize("socket_line", ["http-socket = 127.0.0.1:8080", "socket = 127.0.0.1:8001"])
def test_sockets_uwsgi_owns_are_reloaded(tmp_path, socket_line):
    text = FIXTURE_INI.replace("http = 127.0.0.1:8080", socket_line + "\nbinary-path = /opt/nautobot/bin/python3")
    assert decide(tmp_path, text)["reload"] is True


def test_binary_path_outside_the_venv_is_restarted(tmp_path):
    result = decide(tmp_path, SHARED.replace("binary-path = /opt/nautobot/bin/python3", "binary-path = /usr/bin/python3"))
    assert result["reload"] is False and "binary-path" in result["why"][0]


def test_release_layout_needs_binary_path_through_the_root(tmp_path):
    assert decide(tmp_path, SHARED, venv="/opt/nautobot/venv")["reload"] is False
    text = SHARED.replace("/opt/nautobot/bin/python3", "/opt/nautobot/venv/bin/python3")
    assert decide(tmp_path, text, venv="/opt/nautobot/venv")["reload"] is True


def test_unit_without_exec_reload_is_restarted(tmp_path):
    result = decide(tmp_path, SHARED, exec_reload="ExecReload=")
    assert result == {"reload": False, "signal": False, "ini": str(tmp_path / "uwsgi.ini"), "why": ["the unit has no ExecReload"]}


def test_missing_ini_is_reported(tmp_path):
    run = subprocess.run(
        [sys.executable, str(SCRIPT), EXEC_START.replace("{ini}", str(tmp_path / "nope.ini")), EXEC_RELOAD, "/opt/nautobot"],
        capture_output=True, text=True, check=True,
    )
    result = json.loads(run.stdout)
    assert result["reload"] is False and "cannot be read" in result["why"][0]


# signal: the role may send the SIGHUP the upstream ExecReload sends (to the pidfile ExecStart writes).
def test_upstream_exec_reload_is_replaced_by_the_signal(tmp_path):
    assert decide(tmp_path, SHARED)["signal"] is True


@pytest.mark.parametrize("exec_reload", [
    EXEC_RELOAD.replace("/var/tmp/nautobot.pid", "/run/other.pid"),  # another process's pidfile
    EXEC_RELOAD.replace("start --reload", "start --reload --touch-reload"),  # does more than the signal
    "ExecReload={ path=/bin/kill ; argv[]=/bin/kill -HUP $MAINPID ; ignore_errors=no }",  # the site's own
])
def test_any_other_exec_reload_is_run_by_systemctl(tmp_path, exec_reload):
    result = decide(tmp_path, SHARED, exec_reload=exec_reload)
    assert result["reload"] is True and result["signal"] is False


def test_a_unit_that_cannot_reload_gets_no_signal(tmp_path):
    assert decide(tmp_path, FIXTURE_INI)["signal"] is False


@pytest.mark.parametrize("unit_type", ["Type=forking", "Type=oneshot", ""])
def test_a_unit_whose_main_process_may_not_be_the_master_gets_no_signal(tmp_path, unit_type):
    result = decide(tmp_path, SHARED, unit_type=unit_type)
    assert result["reload"] is True and result["signal"] is False


@pytest.mark.parametrize("line", ["daemonize = /var/log/uwsgi.log", "master = false"])
def test_a_uwsgi_that_daemonizes_or_has_no_master_gets_no_signal(tmp_path, line):
    text = SHARED.replace("master = true", line) if line.startswith("master") else SHARED + line + "\n"
    result = decide(tmp_path, text)
    assert result["reload"] is True and result["signal"] is False
