# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import stat
import sys

import pytest
from unittest.mock import patch

from ansible.module_utils import basic

from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_version
from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module

NOTES = "https://docs.nautobot.com/projects/core/en/stable/release-notes/version-%s/"


def run(args):
    """Run the module; return (failed, result)."""
    return run_module(nautobot_version.main, args)


def fake_venv(path, script):
    """A venv whose bin/python is an executable shell script."""
    bin_dir = path / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text("#!/bin/sh\n" + script)
    python.chmod(python.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


def venv_with_nautobot(path, version):
    """A venv whose bin/python is this Python with a `nautobot` distribution's metadata on its path."""
    site = path / "site"
    dist_info = site / ("nautobot-%s.dist-info" % version)
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: nautobot\nVersion: %s\n" % version)
    return fake_venv(path, 'PYTHONPATH="%s" exec "%s" "$@"\n' % (site, sys.executable))


# --- versions given --------------------------------------------------------------------------

def test_upgrade_minor():
    failed, result = run({"current": "3.1.0", "target": "3.2.7"})
    assert not failed
    assert result["changed"] is False
    assert result["action"] == "upgrade"
    assert result["major_change"] is False
    assert result["violations"] == []
    assert NOTES % "3.2" in result["release_notes"]
    assert result["requirements"]["python"] == {"min": "3.10", "max_exclusive": "3.15"}
    assert [step["min_version"] for step in result["path"]] == ["3.2.7"]


@pytest.mark.parametrize("current, target", [("3.2.9", "3.2.10"), ("2.0.0rc1", "2.0.0"), ("2.0.0", "2.0.0.post1"),
                                             ("2.4.15", "3.0.0"), ("2.4.44", "v3.2.7"), ("1.6.32", "2.4.44")])
def test_supported_upgrades(current, target):
    failed, result = run({"current": current, "target": target})
    assert not failed, result.get("msg")
    assert result["action"] == "upgrade"


def test_downgrade_refused():
    failed, result = run({"current": "3.2.7", "target": "3.1.0"})
    assert failed
    assert "allow_downgrade" in result["msg"]
    assert result["action"] == "downgrade"
    assert result["changed"] is False


def test_downgrade_allowed():
    failed, result = run({"current": "3.2.7", "target": "3.1.0", "allow_downgrade": True})
    assert not failed
    assert result["action"] == "downgrade"
    assert result["violations"] == []
    assert result["release_notes"] == []


def test_no_change():
    failed, result = run({"current": "v3.2.7", "target": "3.2.7"})
    assert not failed
    assert (result["action"], result["current"], result["target"], result["path"]) == ("none", "3.2.7", "3.2.7", [])


@pytest.mark.parametrize("args, bad", [
    ({"current": "3.1.0", "target": "3.x"}, "3.x"),
    ({"current": "three", "target": "3.2.7"}, "three"),
    ({"current": "3.1.0", "target": "3.x", "fail_on_violation": False}, "3.x"),
])
def test_invalid_version(args, bad):
    failed, result = run(args)
    assert failed
    assert result["msg"] == "'%s' is not a valid Nautobot version" % bad


def test_major_skip_refused_with_path():
    failed, result = run({"current": "2.3.16", "target": "3.2.7"})
    assert failed
    assert "upgrade to 2.4.15 or later" in result["msg"]
    assert result["major_change"] is True
    assert [(step["series"], step["min_version"], step["required"]) for step in result["path"]] == [
        ("2.4", "2.4.15", True), ("3.2", "3.2.7", True)]
    assert result["pre_commands"] == ["check_job_approval_status"]
    assert result["post_commands"] == ["validate_models extras.dynamicgroup extras.savedview"]
    assert result["release_notes"] == [NOTES % name for name in ("2.4", "3.0", "3.1", "3.2")]


def test_two_majors_refused_with_full_path():
    failed, result = run({"current": "1.5.23", "target": "3.2.7"})
    assert failed
    assert "1.5.23 -> 2.4.15 or later (latest 2.4.x) -> 3.2.7" in result["msg"]
    assert [step["series"] for step in result["path"]] == ["1.6", "2.4", "3.2"]
    assert result["pre_commands"] == ["pre_migrate", "check_job_approval_status"]


def test_v1_to_v2_through_latest_1x():
    failed, result = run({"current": "1.4.10", "target": "2.0.0"})
    assert failed
    assert "upgrade to the latest 1.6.x (at least 1.5.23) first" in result["msg"]
    failed, result = run({"current": "1.6.32", "target": "2.0.0"})
    assert not failed
    assert result["pre_commands"] == ["pre_migrate"]
    assert result["post_commands"] == ["audit_dynamic_groups"]


def test_python_out_of_range_refused():
    failed, result = run({"current": "1.5.24", "target": "1.6.32", "python_version": "3.12.1"})
    assert failed
    assert result["msg"] == "Python 3.12.1 is not supported by Nautobot 1.6.32, which needs Python >= 3.8, < 3.12."


def test_old_postgresql_refused():
    failed, result = run({"current": "3.0.11", "target": "3.1.0",
                          "postgresql_version": "13.16 (Debian 13.16-0+deb11u1)"})
    assert failed
    assert result["msg"] == "PostgreSQL 13.16 is older than PostgreSQL 14, the minimum for Nautobot 3.1.0."


def test_supported_host_passes():
    failed, result = run({"current": "3.1.0", "target": "3.2.7", "python_version": "3.11.2",
                          "postgresql_version": "PostgreSQL 15.4 on x86_64-pc-linux-gnu", "redis_version": "7.0.15",
                          "mysql_version": "8.0.36-0ubuntu0.22.04.1"})
    assert not failed, result.get("msg")


def test_all_violations_in_one_message():
    failed, result = run({"current": "3.2.7", "target": "3.1.8", "python_version": "3.9.18",
                          "postgresql_version": "13.16", "redis_version": "3.2.12"})
    assert failed
    assert len(result["violations"]) == 4
    assert result["msg"] == " ".join(result["violations"])
    for word in ("allow_downgrade", "Python 3.9.18", "PostgreSQL 13.16", "Redis 3.2.12"):
        assert word in result["msg"]


def test_violations_returned_without_failing():
    failed, result = run({"current": "2.3.16", "target": "3.2.7", "postgresql_version": "13.16",
                          "fail_on_violation": False})
    assert not failed
    assert len(result["violations"]) == 2
    assert result["action"] == "upgrade"


def test_next_minor_planned_with_a_warning_and_the_package_python():
    failed, result = run({"current": "3.2.7", "target": "3.3.0", "requires_python": ">=3.11,<3.16", "python_version": "3.11.2"})
    assert not failed, result.get("msg")
    assert result["requirements"]["python"] == {"min": "3.11", "max_exclusive": "3.16"}
    assert result["requirements"]["origin"]["python"] == "package metadata (Requires-Python >=3.11,<3.16)"
    assert result["requirements"]["origin"]["postgresql"] == "table (Nautobot 3.2)"
    assert len(result["warnings_found"]) == 1 and "newer than the releases this collection knows" in result["warnings_found"][0]


@pytest.mark.parametrize("emit", [True, False])
def test_warnings_emitted_unless_told_not_to(emit):
    args = {"current": "3.2.7", "target": "3.3.0", "emit_warnings": emit}
    with patch.object(basic.AnsibleModule, "warn") as warn:
        failed, result = run(args)
    assert not failed and len(result["warnings_found"]) == 1
    assert [call.args[0] for call in warn.call_args_list] == (result["warnings_found"] if emit else [])


def test_next_minor_python_out_of_the_package_range_refused():
    failed, result = run({"current": "3.2.7", "target": "3.3.0", "requires_python": ">=3.11,<3.16", "python_version": "3.10.4"})
    assert failed
    assert result["msg"] == "Python 3.10.4 is not supported by Nautobot 3.3.0, which needs Python >= 3.11, < 3.16."


def test_new_major_needs_the_opt_in():
    failed, result = run({"current": "3.2.7", "target": "4.0.0"})
    assert failed and "allow_unknown_release" in result["msg"]
    failed, result = run({"current": "3.2.7", "target": "4.0.0", "allow_unknown_release": True})
    assert not failed and result["action"] == "upgrade" and result["warnings_found"]


def test_check_mode_same_result():
    args = {"current": "3.1.0", "target": "3.2.7"}
    check_args = dict(args, _ansible_check_mode=True)
    assert run(check_args) == run(args)


# --- current detected from an installation --------------------------------------------------

def test_detect_from_root(tmp_path):
    root = fake_venv(tmp_path / "nautobot", "echo 3.1.0\n")
    failed, result = run({"root": str(root), "target": "3.2.7"})
    assert not failed, result.get("msg")
    assert (result["current"], result["action"]) == ("3.1.0", "upgrade")


def test_detect_from_venv_over_root(tmp_path):
    venv = fake_venv(tmp_path / "venv", "echo 2.4.44\n")
    failed, result = run({"root": str(tmp_path / "missing"), "venv": str(venv), "target": "2.4.44"})
    assert not failed, result.get("msg")
    assert (result["current"], result["action"]) == ("2.4.44", "none")


def test_detect_runs_the_real_script(tmp_path):
    venv = venv_with_nautobot(tmp_path / "venv", "3.1.8")
    failed, result = run({"venv": str(venv), "target": "3.2.7"})
    assert not failed, result.get("msg")
    assert result["current"] == "3.1.8"


def test_given_current_skips_detection(tmp_path):
    failed, result = run({"root": str(tmp_path / "missing"), "current": "3.1.0", "target": "3.2.7"})
    assert not failed
    assert result["current"] == "3.1.0"


def test_no_python(tmp_path):
    failed, result = run({"root": str(tmp_path), "target": "3.2.7"})
    assert failed
    assert result["msg"] == "no Nautobot installation found at %s: %s is not an executable" % (
        tmp_path, os.path.join(str(tmp_path), "bin", "python"))


def test_python_does_not_start(tmp_path):
    venv = fake_venv(tmp_path / "venv", "")
    (venv / "bin" / "python").write_text("#!/nonexistent/interpreter\n")
    failed, result = run({"venv": str(venv), "target": "3.2.7"})
    assert failed
    assert result["msg"].startswith("no Nautobot installation found at %s: " % venv)


def test_nautobot_not_installed(tmp_path):
    venv = fake_venv(tmp_path / "venv", 'PYTHONPATH= exec "%s" "$@"\n' % sys.executable)
    failed, result = run({"venv": str(venv), "target": "3.2.7"})
    assert failed
    assert result["msg"].startswith("no Nautobot installation found at %s: " % venv)
    assert "PackageNotFoundError" in result["msg"]


def test_detected_version_invalid(tmp_path):
    venv = fake_venv(tmp_path / "venv", "echo not-a-version\n")
    failed, result = run({"venv": str(venv), "target": "3.2.7"})
    assert failed
    assert result["msg"] == "'not-a-version' is not a valid Nautobot version"


def test_missing_required_paths_returned_and_nothing_read(tmp_path):
    # The venv's python would fail if run: a missing path must stop the module before it reads anything.
    venv = fake_venv(tmp_path / "venv", "exit 3\n")
    config = tmp_path / "nautobot_config.py"
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    server = venv / "bin" / "nautobot-server"
    failed, result = run({"venv": str(venv), "target": "3.2.7", "required_paths": [str(server), str(config), str(dangling)]})
    assert not failed and not result["changed"]
    assert result["missing"] == [str(server), str(config), str(dangling)]
    assert "action" not in result and "current" not in result


def test_present_required_paths_plan_as_usual(tmp_path):
    venv = venv_with_nautobot(tmp_path / "venv", "3.1.0")
    config = tmp_path / "nautobot_config.py"
    config.write_text("")
    failed, result = run({"venv": str(venv), "target": "3.2.7", "required_paths": [str(config), str(venv / "bin" / "python")]})
    assert not failed and "missing" not in result
    assert result["current"] == "3.1.0" and result["action"] == "upgrade"
