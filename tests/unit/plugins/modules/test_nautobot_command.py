# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import pwd

from unittest.mock import patch

from ansible.module_utils import basic
from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_command
from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module

ME = pwd.getpwuid(os.geteuid()).pw_name


def make_venv(tmp_path, script):
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    path = bin_dir / "nautobot-server"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(tmp_path / "venv")


def show_unit(env_file):
    def run_command(self, args, **kwargs):
        assert args[1:] == ["show", "-p", "LoadState", "-p", "Environment", "-p", "EnvironmentFiles", "nautobot.service"]
        return 0, "LoadState=loaded\nEnvironment=NAUTOBOT_ROOT=/opt/nautobot\nEnvironmentFiles=%s (ignore_errors=no)\n" % env_file, ""
    return run_command


def test_runs_with_the_units_environment_and_masks_secrets(tmp_path):
    env_file = tmp_path / "secrets.env"
    env_file.write_text("NAUTOBOT_DB_PASSWORD=unit-secret-42\n")
    venv = make_venv(tmp_path, 'echo "args=$* root=$NAUTOBOT_ROOT dump=$NAUTOBOT_OPS_DUMP pw=$NAUTOBOT_DB_PASSWORD"\n')
    with patch.object(basic.AnsibleModule, "run_command", show_unit(env_file)):
        failed, result = run_module(nautobot_command.main, dict(
            venv=venv, config="/opt/nautobot/nautobot_config.py", argv=["migrate", "--no-input"], user=ME,
            env={"NAUTOBOT_OPS_DUMP": "/var/backups/x.dump"},
        ))
    assert not failed, result
    assert result["cmd"] == [venv + "/bin/nautobot-server", "-c", "/opt/nautobot/nautobot_config.py", "migrate", "--no-input"]
    # The password reached the command, and is masked in what the module returns.
    assert "pw=********" in result["stdout"]
    assert "unit-secret-42" not in repr(result)
    assert "root=/opt/nautobot dump=/var/backups/x.dump" in result["stdout"]
    assert result["environment_sources"] == [str(env_file)]
    assert result["changed"] is True


def test_operator_environment_wins_and_is_masked(tmp_path):
    venv = make_venv(tmp_path, 'echo "pw=$NAUTOBOT_DB_PASSWORD"\n')
    failed, result = run_module(nautobot_command.main, dict(
        venv=venv, unit=[], user=ME, environment={"NAUTOBOT_DB_PASSWORD": "operator-secret-7"},
    ))
    assert not failed
    assert result["stdout"] == "pw=********\n"
    assert "operator-secret-7" not in repr(result)


def test_operator_file_applies_and_short_values_are_not_masked(tmp_path):
    operator = tmp_path / "operator.json"
    operator.write_text('{"NAUTOBOT_DB_PASSWORD": "file-secret-99", "NAUTOBOT_DB_HOST": "db", "NAUTOBOT_API_KEY": "ab"}')
    venv = make_venv(tmp_path, 'echo "pw=$NAUTOBOT_DB_PASSWORD host=$NAUTOBOT_DB_HOST key=$NAUTOBOT_API_KEY sha=0dbab1"\n')
    failed, result = run_module(nautobot_command.main, dict(venv=venv, unit=[], user=ME, environment_file=str(operator)))
    assert not failed
    # Only long secret-looking values are masked: "db" and "ab" inside a checksum stay as printed.
    assert result["stdout"] == "pw=******** host=db key=ab sha=0dbab1\n"
    assert result["environment_sources"] == [str(operator)]


def test_a_failing_command_fails_with_its_output(tmp_path):
    venv = make_venv(tmp_path, "echo partial; echo 'boom' >&2; exit 4\n")
    failed, result = run_module(nautobot_command.main, dict(venv=venv, unit=[], user=ME, argv=["migrate"], stdin="x"))
    assert failed
    assert (result["rc"], result["stdout"], result["stderr_lines"]) == (4, "partial\n", ["boom"])
    assert "exited 4" in result["msg"]


def test_pip_and_a_missing_program(tmp_path):
    venv = make_venv(tmp_path, "exit 0\n")
    failed, result = run_module(nautobot_command.main, dict(venv=venv, unit=[], user=ME, program="pip", argv=["install", "x"]))
    assert failed
    assert result["msg"] == "%s/bin/pip not found or not executable" % venv
    assert result["cmd"] == [venv + "/bin/pip", "install", "x"]


def test_an_unreadable_unit_environment_file_fails_before_running(tmp_path):
    marker = tmp_path / "ran"
    venv = make_venv(tmp_path, "touch %s\n" % marker)
    with patch.object(basic.AnsibleModule, "run_command", show_unit(tmp_path / "gone.env")):
        failed, result = run_module(nautobot_command.main, dict(venv=venv, user=ME))
    assert failed
    assert "cannot read the environment file" in result["msg"]
    assert not marker.exists()
