# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The environment Nautobot's own units run with, and running a command in it as the Nautobot user.

Sites keep NAUTOBOT_DB_PASSWORD, NAUTOBOT_SECRET_KEY and the like in the units (``Environment=``,
``EnvironmentFile=``), often in a file only root reads. Every nautobot-server this collection runs gets that
same environment, read on the host by root, so no secret travels through a command line, a module argument
or an ``environment:`` keyword (which Ansible puts on the sudo command line that the host's journal keeps and
``-vvv`` prints). Stdlib only, and no syntax newer than the oldest Python a managed host may have.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import json
import os
import pwd
import re
import shlex
import subprocess

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOUBLE_QUOTED_ESCAPES = {'"': '"', "\\": "\\", "`": "`", "$": "$", "\n": ""}


class SiteEnvironmentError(Exception):
    """The site's environment could not be read (a unit's EnvironmentFile missing or unreadable, a bad line)."""


def _unquote(value):
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        out = []
        inner = value[1:-1]
        index = 0
        while index < len(inner):
            char = inner[index]
            if char == "\\" and index + 1 < len(inner) and inner[index + 1] in _DOUBLE_QUOTED_ESCAPES:
                out.append(_DOUBLE_QUOTED_ESCAPES[inner[index + 1]])
                index += 2
                continue
            out.append(char)
            index += 1
        return "".join(out)
    return value


def parse_environment_file(text, source="environment file"):
    """``{NAME: value}`` from a systemd EnvironmentFile: ``NAME=value`` lines, ``#``/``;`` comments, quotes,
    a trailing backslash continuing a line. Later assignments win, as in systemd."""
    result = {}
    lines = text.splitlines()
    index = 0
    number = 0
    while index < len(lines):
        line = lines[index]
        number = index + 1
        index += 1
        # An odd number of trailing backslashes continues the line (a doubled one is an escaped backslash).
        while (len(line) - len(line.rstrip("\\"))) % 2 == 1 and index < len(lines):
            line = line[:-1] + lines[index]
            index += 1
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        if "=" not in stripped:
            raise SiteEnvironmentError("%s line %d is not NAME=value" % (source, number))
        name, value = stripped.split("=", 1)
        name = name.strip()
        if name.startswith("export "):
            name = name[len("export "):].strip()
        if not _NAME_RE.match(name):
            raise SiteEnvironmentError("%s line %d: %r is not a variable name" % (source, number, name))
        result[name] = _unquote(value.strip())
    return result


def parse_unit_show(text):
    """``(loaded, environment, files)`` from ``systemctl show -p LoadState -p Environment -p EnvironmentFiles UNIT``.

    ``files`` is a list of ``(path, optional)``; systemd prints each as ``path (ignore_errors=yes|no)``.
    """
    loaded = True
    environment = {}
    files = []
    for line in text.splitlines():
        if line.startswith("LoadState="):
            loaded = line[len("LoadState="):].strip() == "loaded"
        elif line.startswith("Environment="):
            value = line[len("Environment="):]
            # Older systemd (239) prints assignments it cannot quote as [unprintable].
            if "[unprintable]" in value:
                raise SiteEnvironmentError("systemctl show prints the unit's Environment= as [unprintable]: "
                                           "move those variables to an EnvironmentFile")
            try:
                words = shlex.split(value)
            except ValueError as error:
                raise SiteEnvironmentError("the unit's Environment= cannot be read: %s" % error)
            for word in words:
                if "=" in word:
                    name, value = word.split("=", 1)
                    environment[name] = value
        elif line.startswith("EnvironmentFiles="):
            value = line[len("EnvironmentFiles="):].strip()
            match = re.match(r"^(.*?)\s*\(ignore_errors=(yes|no)\)$", value)
            if match:
                files.append((match.group(1), match.group(2) == "yes"))
            elif value:
                files.append((value, False))
    return loaded, environment, files


def read_environment_file(path, optional=False):
    """One EnvironmentFile= entry: a path or a glob (files in order), missing allowed when ``optional``."""
    paths = sorted(glob.glob(path)) if glob.has_magic(path) else [path]
    if not paths and not optional:
        raise SiteEnvironmentError("no environment file matches %s" % path)
    environment = {}
    for one in paths:
        try:
            with open(one) as handle:
                text = handle.read()
        except (IOError, OSError) as error:
            if optional:
                continue
            raise SiteEnvironmentError("cannot read the environment file %s: %s" % (one, error.strerror or error))
        environment.update(parse_environment_file(text, one))
    return environment


def unit_environment(module, units):
    """The environment systemd gives the first of ``units`` the host has (Environment=, then each
    EnvironmentFile=, in order), and the files it was read from. No such unit: an empty environment."""
    systemctl = module.get_bin_path("systemctl")
    if not systemctl:
        return {}, []
    if isinstance(units, str):
        units = [units]
    for unit in [one for one in units or [] if one]:
        rc, out, err = module.run_command(
            [systemctl, "show", "-p", "LoadState", "-p", "Environment", "-p", "EnvironmentFiles", unit]
        )
        if rc != 0:
            continue
        loaded, environment, files = parse_unit_show(out)
        if not loaded:
            continue
        for path, optional in files:
            environment.update(read_environment_file(path, optional))
        return environment, [path for path, dummy in files]
    return {}, []


def read_operator_file(path):
    """The operator's variables the role keeps on the host (a JSON object), or {} where there is no file."""
    if not path or not os.path.exists(path):
        return {}
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError, ValueError) as error:
        raise SiteEnvironmentError("cannot read %s: %s" % (path, error))
    if not isinstance(data, dict):
        raise SiteEnvironmentError("%s does not hold an object of variables" % path)
    return data


def site_environment(module, units=None, operator=None, extra=None, operator_file=None):
    """The unit's environment, then the operator's (``operator_file`` then ``operator``), then ``extra`` (the
    collection's own, not secret). Returns ``(environment, sources)``: the files read, never what they hold."""
    environment, sources = unit_environment(module, units)
    from_file = read_operator_file(operator_file)
    if from_file:
        sources.append(operator_file)
    for overlay in (from_file, operator or {}, extra or {}):
        for name, value in overlay.items():
            if value is not None:
                environment[str(name)] = str(value)
    return environment, sources


def account(user):
    """``(uid, gid, home, name)`` of ``user`` (a name or a numeric id)."""
    try:
        entry = pwd.getpwuid(int(user)) if str(user).isdigit() else pwd.getpwnam(user)
    except KeyError:
        raise SiteEnvironmentError("no such user: %s" % user)
    return entry.pw_uid, entry.pw_gid, entry.pw_dir, entry.pw_name


def run_as(argv, user, environment, cwd=None, data=None, log=None):
    """Run ``argv`` as ``user`` with ``environment`` on top of this process's own; return (rc, stdout, stderr).

    From root the command runs as the user (its groups too); as the user itself it just runs. Text in and out.
    With ``log`` (a path), standard output goes to that file (0600, this process's owner) as the command
    writes it, so that another process can follow a long run; it is read back when the command ends.
    """
    uid, gid, home, name = account(user)
    env = dict(os.environ)
    env.update(environment)
    env.update(HOME=home, USER=name, LOGNAME=name)
    preexec = None
    if os.geteuid() != uid:
        if os.geteuid() != 0:
            raise SiteEnvironmentError("running as uid %d, which cannot run commands as %s: use become" % (os.geteuid(), name))

        def preexec():
            os.initgroups(name, gid)
            os.setgid(gid)
            os.setuid(uid)

    # Not run_command: it cannot drop to the nautobot user (no preexec_fn), and the environment
    # must not pass through a command line (sudo/runuser argv).
    sink = subprocess.PIPE
    if log:
        # Opened here, by root: the user writes through the inherited descriptor, never by the path.
        if os.path.lexists(log):
            os.unlink(log)
        sink = os.fdopen(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb")
        env["PYTHONUNBUFFERED"] = "1"
    try:
        proc = subprocess.Popen(  # pylint: disable=ansible-bad-function
            argv, stdin=subprocess.PIPE, stdout=sink, stderr=subprocess.PIPE,
            env=env, cwd=cwd, preexec_fn=preexec, close_fds=True,
        )
        out, err = proc.communicate(data.encode("utf-8") if data is not None else None)
    finally:
        if log:
            sink.close()
    if log:
        with open(log, "rb") as handle:
            out = handle.read()
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
