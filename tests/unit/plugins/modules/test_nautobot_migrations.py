# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import io
import json
import os
import stat
import sys
import types

from unittest.mock import patch

import pytest

from ansible.module_utils import basic
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils import nautobot_server
from ansible_collections.nautobot_ops.lifecycle.plugins.modules import nautobot_migrations
from ansible_collections.nautobot_ops.lifecycle.tests.unit.captured import fixture
from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module, set_module_args


PLAN_APPLIED = (0, fixture("showmigrations-plan-3.1.0-applied.txt"), "")
PLAN_PENDING = (0, fixture("showmigrations-plan-3.1.0-db-3.2.7-code.txt"), "")
PLAN_DB_DOWN = (1, "", fixture("showmigrations-plan-3.1.0-database-down.stderr.txt"))
PLAN_NO_CONFIG = (1, "", fixture("showmigrations-plan-3.1.0-missing-config.stderr.txt"))
CHECK_CLEAN = (0, fixture("makemigrations-check-3.1.0-clean.txt"), "")
CHECK_UNREFLECTED = (1, fixture("makemigrations-check-3.1.0-unreflected.txt"), "")
SHOWMIGRATIONS_PLAN_ARGS = nautobot_server.SHOWMIGRATIONS_PLAN
MAKEMIGRATIONS_ARGS = nautobot_server.MAKEMIGRATIONS_CHECK


class SystemCheckError(Exception):
    """Stands in for django.core.management.base.SystemCheckError (a CommandError)."""


class FakeRunCommand:
    """Stands in for AnsibleModule.run_command running ``nautobot-server shell``: the module's real script
    runs, against a stand-in for Django's call_command that answers each command by its name with what
    that command's own command line printed (captured on a real host); an exception answer is raised.
    ``shell`` answers the shell itself instead (it failed before the script ran). Records every call
    and every command the script ran."""

    def __init__(self, shell=None, **answers):
        self.shell = shell
        self.answers = answers
        self.calls = []
        self.commands = []

    def call_command(self, *args, **options):
        assert options["skip_checks"] is False  # the checks run as on the command line
        self.commands.append(list(args))
        answer = self.answers[args[0]]
        if isinstance(answer, Exception):
            raise answer
        rc, out, err = answer
        options["stdout"].write(out)
        options["stderr"].write(err)
        if rc:
            raise SystemExit(rc)

    def __call__(self, args, **kwargs):
        self.calls.append(dict(args=args, **kwargs))
        assert args[3:6] == ["shell", "--interface", "python"] and args[6].startswith("--command=") and len(args) == 7
        assert "data" not in kwargs  # nothing on standard input: a console would read it
        if self.shell:
            return self.shell
        management = types.ModuleType("django.core.management")
        management.call_command = self.call_command
        base = types.ModuleType("django.core.management.base")
        base.CommandError = Exception
        base.SystemCheckError = SystemCheckError
        db = types.ModuleType("django.db")
        db.connections = types.SimpleNamespace(close_all=lambda: self.commands.append(["close_all"]))
        package = types.ModuleType("django")
        package.__path__ = []
        modules = {"django": package, "django.core": types.ModuleType("django.core"), "django.db": db,
                   "django.core.management": management, "django.core.management.base": base}
        out = io.StringIO()
        with patch.dict(sys.modules, modules), contextlib.redirect_stdout(out):
            print("186 objects imported automatically (use -v 2 for details).")
            exec(args[6][len("--command="):], {})  # noqa: S102 - the module's own script, as the shell runs it
        return 0, out.getvalue(), ""

    def argv(self, subcommand):
        return [command for command in self.commands if command[0] == subcommand]

    @property
    def ran(self):
        return [command[0] for command in self.commands if command != ["close_all"]]


def make_server(directory):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "nautobot-server"
    path.write_text("#!/bin/sh\nexit 99\n")  # never run: run_command is patched
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def root(tmp_path):
    make_server(tmp_path / "bin")
    return str(tmp_path)


def run(args, fake):
    with patch.object(basic.AnsibleModule, "run_command", fake):
        return run_module(nautobot_migrations.main, args)


def test_up_to_date_and_clean(root):
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root), fake)
    assert not failed
    assert result["changed"] is False
    assert result["nautobot_server"] == os.path.join(root, "bin", "nautobot-server")
    assert (result["pending"], result["pending_count"], result["applied_count"]) == ([], 0, 451)
    assert result["unreflected"] is False
    assert result["unreflected_changes"] == []
    assert result["unreflected_models"] == []


def test_argv_env_and_cwd(root):
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    run(dict(root=root, environment=dict(NAUTOBOT_DB_HOST="db.example.com")), fake)
    server = os.path.join(root, "bin", "nautobot-server")
    config = os.path.join(root, "nautobot_config.py")
    # One start of Nautobot for both commands.
    [call] = fake.calls
    assert call["args"][:6] == [server, "-c", config, "shell", "--interface", "python"]
    assert isinstance(call["args"], list) and not call.get("use_unsafe_shell")
    assert call["environ_update"] == dict(NAUTOBOT_ROOT=root, NAUTOBOT_DB_HOST="db.example.com")
    assert call["cwd"] == root
    [makemigrations] = fake.argv("makemigrations")
    # --check without --dry-run writes migration files on Django < 4.2.
    assert "--check" in makemigrations and "--dry-run" in makemigrations
    assert "--no-input" in makemigrations
    [showmigrations] = fake.argv("showmigrations")
    assert showmigrations[:2] == ["showmigrations", "--plan"]


def test_pending_with_new_release_venv(root, tmp_path):
    venv = tmp_path / "releases" / "3.2.7"
    server = make_server(venv / "bin")
    fake = FakeRunCommand(showmigrations=PLAN_PENDING)
    failed, result = run(dict(root=root, venv=str(venv), check_unreflected=False), fake)
    assert not failed
    assert result["nautobot_server"] == server
    assert result["pending_count"] == 20
    assert result["pending"][0] == "circuits.0023_remove_circuittermination_cable_peer_fields"
    assert result["pending"][-1] == "ipam.0058_iprange_role_data"
    assert result["applied_count"] == 451 == len(result["applied"])
    # What the plan compares a newer wheel's migrations with.
    assert all(name.count(".") == 1 for name in result["applied"])
    assert not set(result["applied"]) & set(result["pending"])
    assert "unreflected" not in result
    assert fake.argv("showmigrations") and not fake.argv("makemigrations")
    [call] = fake.calls
    assert call["args"][0] == server
    assert call["args"][2] == os.path.join(root, "nautobot_config.py")  # the running installation's configuration


def test_explicit_executable_and_config(root, tmp_path):
    server = make_server(tmp_path / "elsewhere")
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED)
    failed, result = run(dict(root=root, venv="/nonexistent", nautobot_server=server, config="/etc/nautobot/config.py",
                              check_unreflected=False), fake)
    assert not failed
    assert result["nautobot_server"] == server
    assert fake.calls[0]["args"][:3] == [server, "-c", "/etc/nautobot/config.py"]


def test_unreflected(root):
    fake = FakeRunCommand(makemigrations=CHECK_UNREFLECTED)
    failed, result = run(dict(root=root, check_pending=False), fake)
    assert not failed
    assert result["changed"] is False
    assert result["unreflected"] is True
    assert result["unreflected_changes"] == [dict(
        app="fixture_unreflected",
        migration="/srv/apps/fixture_unreflected/migrations/0002_widget_size.py",
        operations=["Add field size to widget"],
    )]
    assert result["unreflected_models"] == ["fixture_unreflected.widget"]
    assert "pending" not in result
    assert fake.ran == ["makemigrations"]


def test_unreflected_relative_path_is_made_absolute(root):
    out = "Migrations for 'app':\n  jobs/app/migrations/0002_x.py\n    - Add field size to widget\n"
    fake = FakeRunCommand(makemigrations=(1, out, ""))
    failed, result = run(dict(root=root, check_pending=False), fake)
    assert not failed
    assert result["unreflected_changes"][0]["migration"] == os.path.join(root, "jobs/app/migrations/0002_x.py")


def test_check_mode_still_reads(root):
    fake = FakeRunCommand(showmigrations=PLAN_PENDING, makemigrations=CHECK_UNREFLECTED)
    failed, result = run(dict(root=root, _ansible_check_mode=True), fake)
    assert not failed
    assert result["changed"] is False
    assert result["pending_count"] == 20
    assert result["unreflected"] is True


@pytest.mark.parametrize("answer, message", [
    (PLAN_DB_DOWN, 'nautobot-server showmigrations failed (exit 1): django.db.utils.OperationalError: '
                   'connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused'),
    ((0, "No changes detected\n", ""), "nautobot-server showmigrations: no migration plan in the output of showmigrations --plan"),
])
def test_showmigrations_failure(root, answer, message):
    fake = FakeRunCommand(showmigrations=answer, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root), fake)
    assert failed
    assert result["msg"] == message
    assert "Traceback" not in result["msg"]
    assert result["changed"] is False
    assert result["stderr_tail"] == (answer[2] or answer[1]).rstrip().splitlines()[-20:]
    # A failed showmigrations ends the script; one whose output is not a plan is found out after it.
    assert fake.ran == ["showmigrations"] + (["makemigrations"] if answer[0] == 0 else [])


def test_nautobot_that_cannot_start_is_the_first_commands_failure(root):
    # The configuration is missing: the shell fails before the script runs.
    fake = FakeRunCommand(shell=PLAN_NO_CONFIG)
    failed, result = run(dict(root=root), fake)
    assert failed
    assert result["msg"] == ("nautobot-server showmigrations failed (exit 1): FileNotFoundError: Configuration file not found"
                             " at /nonexistent.py - Please provide a valid --config-path path, or use 'nautobot-server init'"
                             " to create a new configuration.")
    assert result["rc"] == 1
    assert fake.ran == []


def test_system_check_errors_are_named(root):
    # As Django raises them from the checks showmigrations runs (a setting only the new release rejects).
    error = SystemCheckError("SystemCheckError: System check identified some issues:\n\nERRORS:\n"
                             "?: (staticfiles.E002) The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting.\n")
    fake = FakeRunCommand(showmigrations=error, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root), fake)
    assert failed
    assert result["msg"] == ("nautobot-server showmigrations failed (exit 1): Django's system checks failed: ?: (staticfiles.E002)"
                             " The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting.")
    assert result["stderr_tail"][0] == "SystemCheckError: System check identified some issues:"
    assert fake.argv("makemigrations") == []


def test_makemigrations_failure_is_not_a_finding(root):
    stderr = fixture("showmigrations-plan-3.1.0-database-down.stderr.txt")
    fake = FakeRunCommand(makemigrations=(1, "", stderr))
    failed, result = run(dict(root=root, check_pending=False), fake)
    assert failed
    assert result["msg"].startswith("nautobot-server makemigrations failed (exit 1): django.db.utils.OperationalError: ")
    assert result["rc"] == 1
    assert len(result["stderr_tail"]) == 20
    assert "unreflected" not in result


def test_missing_nautobot_server(tmp_path):
    fake = FakeRunCommand()
    failed, result = run(dict(root=str(tmp_path)), fake)
    assert failed
    assert result["msg"].startswith("nautobot-server not found at %s: " % os.path.join(str(tmp_path), "bin", "nautobot-server"))
    assert fake.calls == []


def test_nothing_to_do(root):
    fake = FakeRunCommand()
    failed, result = run(dict(root=root, check_pending=False, check_unreflected=False), fake)
    assert failed
    assert "nothing to do" in result["msg"]


def test_secret_environment_values_are_masked(root, capsys):
    # The real fail_json this time: masking happens when the result is written out.
    stderr = 'django.db.utils.OperationalError: password authentication failed for "s3cr3t-pw"\n'
    fake = FakeRunCommand(showmigrations=(1, "", stderr))
    args = dict(root=root, environment=dict(NAUTOBOT_DB_PASSWORD="s3cr3t-pw", NAUTOBOT_DB_HOST="db.example.com"))
    with patch.object(basic.AnsibleModule, "run_command", fake), set_module_args(args):
        with pytest.raises(SystemExit):
            nautobot_migrations.main()
    assert fake.calls[0]["environ_update"]["NAUTOBOT_DB_PASSWORD"] == "s3cr3t-pw"
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert "password authentication failed" in result["msg"]
    assert "s3cr3t-pw" not in json.dumps(result)
    assert "db.example.com" not in result["msg"]


def test_script_runs_first_in_the_same_start(root):
    # The role's server facts: what the script prints comes back, the checks' own mark does not.
    script = 'print("NAUTOBOT_OPS_FACTS " + __import__("json").dumps({"database_vendor": "postgresql"}))'
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root, script=script), fake)
    assert not failed
    assert len(fake.calls) == 1
    assert result["stdout_lines"] == ["186 objects imported automatically (use -v 2 for details).",
                                      'NAUTOBOT_OPS_FACTS {"database_vendor": "postgresql"}']
    assert result["pending_count"] == 0 and result["unreflected"] is False


def test_script_that_fails_stops_before_the_checks(root):
    script = 'raise RuntimeError("connection to server at \\"localhost\\" (127.0.0.1), port 5432 failed: Connection refused")'
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root, script=script), fake)
    assert failed
    assert result["msg"] == ('nautobot-server shell failed (exit 1): RuntimeError: connection to server at "localhost"'
                             ' (127.0.0.1), port 5432 failed: Connection refused')
    assert fake.ran == []
    assert "pending" not in result


def test_no_script_no_stdout(root):
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root), fake)
    assert not failed and "stdout" not in result


# Found by a review of the one-shell check (helper-9): each was a way to misread the shell.
def test_results_of_another_run_or_too_few_are_not_taken(root):
    # What an interactive console running the script line by line could print: the mark of no run
    # of this module, then an empty list. Neither may be read as "nothing pending".
    for printed in ("NAUTOBOT_OPS_COMMANDS []\n", "NAUTOBOT_OPS_COMMANDS-0123456789abcdef []\n"):
        fake = FakeRunCommand(shell=(0, printed, ""))
        failed, result = run(dict(root=root), fake)
        assert failed, printed
        assert result["msg"] == "nautobot-server showmigrations failed (exit 1): nautobot-server shell printed no result of the checks"
        assert "pending" not in result and "unreflected" not in result


@pytest.mark.parametrize("counts, complete", [
    ((0, 0), True),          # both ran
    ((1,), True),            # showmigrations failed: the script stops there
    ((0,), False),           # makemigrations missing
    ((), False),
])
def test_results_complete(counts, complete):
    commands = [SHOWMIGRATIONS_PLAN_ARGS, MAKEMIGRATIONS_ARGS]
    assert nautobot_server.results_complete([(rc, "", "") for rc in counts], commands) is complete
    # With a script: its entry first; alone when it failed.
    assert nautobot_server.results_complete([(0, "", "")] + [(rc, "", "") for rc in counts], commands, "x") is complete
    assert nautobot_server.results_complete([(1, "", "")], commands, "x") is True
    assert nautobot_server.results_complete([], commands, "x") is False
    # makemigrations' exit 1 is a finding: the list goes on after it.
    assert nautobot_server.results_complete([(1, "", "")], [MAKEMIGRATIONS_ARGS, SHOWMIGRATIONS_PLAN_ARGS]) is False


def test_output_left_without_a_newline_does_not_hide_the_results(root):
    # An app or the script printing without a newline (a progress bar): the results still start a line.
    script = 'import sys; sys.stdout.write("50%...")'
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root, script=script), fake)
    assert not failed, result
    assert result["stdout_lines"][-1] == "50%..." and result["pending_count"] == 0


@pytest.mark.parametrize("exit_call, failed_with", [
    ("sys.exit()", None),
    ("sys.exit(0)", None),
    ("sys.exit(3)", "nautobot-server shell failed (exit 3): no output"),
    ('sys.exit("the facts cannot be read")', "nautobot-server shell failed (exit 1): the facts cannot be read"),
])
def test_a_script_that_exits_is_read_as_python_reads_it(root, exit_call, failed_with):
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root, script="import sys; print('ok'); " + exit_call), fake)
    if failed_with is None:
        assert not failed and result["pending_count"] == 0 and "ok" in result["stdout_lines"]
    else:
        assert failed and result["msg"] == failed_with and fake.ran == []


def test_script_with_non_ascii_text_is_passed_as_ascii(root):
    fake = FakeRunCommand(showmigrations=PLAN_APPLIED, makemigrations=CHECK_CLEAN)
    failed, result = run(dict(root=root, script='print("café")'), fake)
    assert not failed and "café" in result["stdout_lines"]
    assert fake.calls[0]["args"][6].isascii()
