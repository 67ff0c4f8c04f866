# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import pwd

import pytest

from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils import nautobot_environment as ne


def test_environment_file_follows_systemd_rules():
    text = "\n".join([
        "# a comment",
        "; another",
        "",
        "NAUTOBOT_DB_PASSWORD=s3cr3t=with=equals",
        "  NAUTOBOT_DB_HOST = db.example  ",
        "QUOTED=\"two words \\\"here\\\"\"",
        "SINGLE='$not_expanded'",
        "export EXPORTED=yes",
        "CONTINUED=first\\",
        "second",
        "NAUTOBOT_DB_HOST=later-wins",
    ])
    assert ne.parse_environment_file(text) == {
        "NAUTOBOT_DB_PASSWORD": "s3cr3t=with=equals",
        "NAUTOBOT_DB_HOST": "later-wins",
        "QUOTED": 'two words "here"',
        "SINGLE": "$not_expanded",
        "EXPORTED": "yes",
        "CONTINUED": "firstsecond",
    }


@pytest.mark.parametrize("line", ["NOEQUALS", "1BAD=x", "BAD NAME=x"])
def test_environment_file_refuses_what_is_not_an_assignment(line):
    with pytest.raises(ne.SiteEnvironmentError, match="line 2"):
        ne.parse_environment_file("OK=1\n" + line, "/etc/nautobot/env")


# What `systemctl show -p Environment -p EnvironmentFiles nautobot.service` printed (systemd 252, Debian 12)
# for a unit with `Environment=NAUTOBOT_ROOT=/opt/nautobot "GREETING=hello world"`, an EnvironmentFile and an
# optional (`-`) one.
SHOW = (
    'Environment=NAUTOBOT_ROOT=/opt/nautobot "GREETING=hello world"\n'
    "EnvironmentFiles=/etc/nautobot/secrets.env (ignore_errors=no)\n"
    "EnvironmentFiles=/etc/nautobot/optional.env (ignore_errors=yes)\n"
)


def test_unit_show_gives_environment_and_files():
    loaded, environment, files = ne.parse_unit_show("LoadState=loaded\n" + SHOW)
    assert loaded
    assert environment == {"NAUTOBOT_ROOT": "/opt/nautobot", "GREETING": "hello world"}
    assert files == [("/etc/nautobot/secrets.env", False), ("/etc/nautobot/optional.env", True)]


def test_unit_show_of_a_unit_without_environment():
    assert ne.parse_unit_show("LoadState=loaded\nEnvironment=\n") == (True, {}, [])


def test_unit_show_of_a_unit_the_host_does_not_have():
    assert ne.parse_unit_show("LoadState=not-found\nEnvironment=\n")[0] is False


@pytest.mark.parametrize("line", ['Environment=A=1 [unprintable]', 'Environment="A=unbalanced'])
def test_unit_show_refuses_what_it_cannot_read(line):
    with pytest.raises(ne.SiteEnvironmentError):
        ne.parse_unit_show(line)


def test_environment_file_escaped_backslash_does_not_continue():
    assert ne.parse_environment_file("A=ends\\\\\nB=2") == {"A": "ends\\\\", "B": "2"}


class FakeModule:
    """systemctl show answers per unit (a unit not in ``shows`` is not-found)."""

    def __init__(self, show, rc=0, unit="nautobot.service"):
        self.shows, self.rc, self.calls = {unit: show}, rc, []

    def get_bin_path(self, name):
        return "/bin/" + name

    def run_command(self, args):
        self.calls.append(args)
        show = self.shows.get(args[-1])
        return self.rc, ("LoadState=loaded\n" + show) if show is not None else "LoadState=not-found\n", ""


def test_site_environment_layers_unit_files_operator_and_collection(tmp_path):
    secrets = tmp_path / "secrets.env"
    secrets.write_text("NAUTOBOT_DB_PASSWORD=from-file\nGREETING=file\n")
    show = 'Environment="GREETING=unit" NAUTOBOT_ROOT=/opt/nautobot\nEnvironmentFiles=%s (ignore_errors=no)\n' % secrets
    show += "EnvironmentFiles=%s (ignore_errors=yes)\n" % (tmp_path / "missing.env")
    module = FakeModule(show)
    environment, sources = ne.site_environment(
        module, "nautobot.service", {"NAUTOBOT_DB_PASSWORD": "from-operator"}, {"NAUTOBOT_ROOT": "/opt/nautobot-3.2.7"}
    )
    assert module.calls == [["/bin/systemctl", "show", "-p", "LoadState", "-p", "Environment", "-p", "EnvironmentFiles",
                             "nautobot.service"]]
    assert environment == {"GREETING": "file", "NAUTOBOT_DB_PASSWORD": "from-operator", "NAUTOBOT_ROOT": "/opt/nautobot-3.2.7"}
    assert sources == [str(secrets), str(tmp_path / "missing.env")]


def test_a_required_environment_file_that_cannot_be_read_fails(tmp_path):
    module = FakeModule("EnvironmentFiles=%s (ignore_errors=no)\n" % (tmp_path / "gone.env"))
    with pytest.raises(ne.SiteEnvironmentError, match="cannot read the environment file .*gone.env"):
        ne.site_environment(module, "nautobot.service")


def test_the_first_unit_the_host_has_gives_the_environment(tmp_path):
    module = FakeModule("Environment=FROM=worker\n", unit="nautobot-worker")
    assert ne.site_environment(module, ["nautobot", "nautobot-worker"]) == ({"FROM": "worker"}, [])
    assert [call[-1] for call in module.calls] == ["nautobot", "nautobot-worker"]


def test_environment_files_by_glob_and_the_operators_file(tmp_path):
    (tmp_path / "a.env").write_text("A=1\nB=1\n")
    (tmp_path / "b.env").write_text("B=2\n")
    operator = tmp_path / "operator.json"
    operator.write_text('{"C": "3", "A": "op"}')
    module = FakeModule("EnvironmentFiles=%s/*.env (ignore_errors=no)\n" % tmp_path)
    environment, sources = ne.site_environment(module, ["nautobot.service"], operator_file=str(operator))
    assert environment == {"A": "op", "B": "2", "C": "3"}
    assert sources == ["%s/*.env" % tmp_path, str(operator)]
    with pytest.raises(ne.SiteEnvironmentError, match="no environment file matches"):
        ne.site_environment(FakeModule("EnvironmentFiles=%s/*.none (ignore_errors=no)\n" % tmp_path), ["nautobot.service"])


def test_no_unit_or_an_unknown_one_adds_nothing():
    assert ne.site_environment(FakeModule("", rc=1), ["nope.service"], None, {"A": 1}) == ({"A": "1"}, [])
    assert ne.site_environment(FakeModule(SHOW), ["nope.service"]) == ({}, [])
    module = FakeModule(SHOW)
    assert ne.site_environment(module, "", {"B": "2"}) == ({"B": "2"}, [])
    assert module.calls == []


def test_run_as_gives_environment_stdin_and_directory(tmp_path):
    me = pwd.getpwuid(os.geteuid()).pw_name
    rc, out, err = ne.run_as(
        ["sh", "-c", 'read line; echo "$line $NAUTOBOT_DB_PASSWORD $(pwd) $USER"; echo oops >&2; exit 3'],
        me, {"NAUTOBOT_DB_PASSWORD": "pw"}, cwd=str(tmp_path), data="hello\n",
    )
    assert (rc, out, err) == (3, "hello pw %s %s\n" % (tmp_path, me), "oops\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="dropping to another account needs root")
def test_run_as_from_root_runs_as_the_user():
    rc, out, dummy = ne.run_as(["sh", "-c", "id -u; id -g; echo $HOME"], "nobody", {})
    entry = pwd.getpwnam("nobody")
    assert rc == 0
    assert out.split() == [str(entry.pw_uid), str(entry.pw_gid), entry.pw_dir]


def test_run_as_refuses_an_unknown_user():
    with pytest.raises(ne.SiteEnvironmentError, match="no such user"):
        ne.run_as(["true"], "no-such-user-here", {})


def test_run_as_writes_stdout_to_the_log_as_it_runs(tmp_path):
    me = pwd.getpwuid(os.geteuid()).pw_name
    log = tmp_path / "migrate.log"
    log.write_text("an earlier run's log\n")
    # The command reads its own log while it runs: what it printed so far is already there.
    rc, out, err = ne.run_as(
        ["sh", "-c", 'echo "Applying dcim.0001... OK"; grep -c Applying "$LOG"; echo oops >&2'], me, {"LOG": str(log)}, log=str(log),
    )
    assert rc == 0 and err == "oops\n"
    assert out == "Applying dcim.0001... OK\n1\n"
    assert log.read_text() == out
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_run_as_never_follows_a_link_put_where_the_log_goes(tmp_path):
    me = pwd.getpwuid(os.geteuid()).pw_name
    target = tmp_path / "elsewhere"
    target.write_text("keep\n")
    log = tmp_path / "migrate.log"
    log.symlink_to(target)
    rc, out, dummy = ne.run_as(["echo", "new"], me, {}, log=str(log))
    assert (rc, out) == (0, "new\n")
    assert target.read_text() == "keep\n" and not log.is_symlink()
