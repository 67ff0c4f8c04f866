# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running ``nautobot-server`` on a managed host and reading what it prints.

The parsers are pure functions over text, tested against output captured from a real installation
(``tests/unit/fixtures/nautobot_server/``). Stdlib and ansible.module_utils only, and no syntax newer than
managed hosts' Python (3.8) allows.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import binascii
import json
import os
import re

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_environment import run_as


DEFAULT_ROOT = "/opt/nautobot"
CONFIG_FILENAME = "nautobot_config.py"
STDERR_TAIL_LINES = 20

# --no-color: the parsers read plain text whatever DJANGO_COLORS or a terminal says.
SHOWMIGRATIONS_PLAN = ["showmigrations", "--plan", "--no-color"]
# --dry-run is not optional: on Django < 4.2 `makemigrations --check` alone writes the migration files.
# --no-input: the autodetector may ask whether a model was renamed; with no terminal that would hang or crash.
MAKEMIGRATIONS_CHECK = ["makemigrations", "--check", "--dry-run", "--no-input", "--no-color"]

# Several management commands in one `nautobot-server shell` (each on its own command line is a
# Django start, about 4 s): each command's exit status and output as its own command line gives them.
# Checks run as there (skip_checks false); SystemCheckError and other CommandErrors are printed as
# Django's command line prints them, other exceptions as a traceback, SystemExit as Python reads it.
# The script is given with --command (standard input would start an interactive console when it is
# not ready at once, or is a terminal); its own names are bound after Django 5.2's automatic imports
# of the models. The results are one line, the mark (with a value of this run) then JSON, written
# at once after a newline so that nothing printed before or beside it can join it.
COMMANDS_MARK = "NAUTOBOT_OPS_COMMANDS"
COMMANDS_SCRIPT = """COMMANDS = %s
SCRIPT = %s
MARK = %s
from builtins import BaseException, SystemExit, compile, exec, getattr, int, isinstance, type
import io, json, sys, traceback
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connections

def exit_status(error, err):
    if error.code is None or isinstance(error.code, int):
        return error.code or 0
    err.write("%%s\\n" %% (error.code,))
    return 1

results = []
if SCRIPT:
    err = io.StringIO()
    try:
        exec(compile(SCRIPT, "<script>", "exec"), {"__name__": "__main__"})
        rc = 0
    except SystemExit as error:
        rc = exit_status(error, err)
    except BaseException:
        err.write(traceback.format_exc())
        rc = 1
    results.append([rc, "", err.getvalue()])
    # The commands start on a fresh connection, as on their own command line.
    connections.close_all()
for args in COMMANDS if not (results and results[0][0]) else []:
    out, err, rc = io.StringIO(), io.StringIO(), 0
    try:
        call_command(*args, stdout=out, stderr=err, skip_checks=False)
    except SystemExit as error:
        rc = exit_status(error, err)
    except CommandError as error:
        err.write(("%%s\\n" %% error) if isinstance(error, SystemCheckError) else "%%s: %%s\\n" %% (type(error).__name__, error))
        rc = getattr(error, "returncode", 1) or 1
    except BaseException:
        err.write(traceback.format_exc())
        rc = 1
    results.append([rc, out.getvalue(), err.getvalue()])
    if rc and args[0] != "makemigrations":
        break
sys.stdout.write("\\n" + MARK + " " + json.dumps(results) + "\\n")
sys.stdout.flush()
"""

# Environment names whose values are masked in everything the module returns.
_SECRET_NAME_RE = re.compile(r"PASS|SECRET|TOKEN|KEY|CREDENTIAL", re.IGNORECASE)

# `showmigrations --plan`: "[X]  app.0001_initial", at verbosity 2 followed by " ... (parent, parent)".
_PLAN_RE = re.compile(r"^\s*\[(?P<mark>[Xx ])\]\s+(?P<name>[^\s.]+\.[^\s]+)(?:\s+\.\.\.(?:\s.*)?)?\s*$")
_NO_MIGRATIONS = "(no migrations)"

# `makemigrations --dry-run` at verbosity 1.
_APP_HEADING_RE = re.compile(r"^Migrations for '(?P<app>[^']+)':\s*$")
# Django 5.1+ prefixes an operation with its category (+ - ~ p s ?), older releases always with "-".
_OPERATION_RE = re.compile(r"^\s{3,}[-+~ps?]\s+(?P<text>\S.*?)\s*$")
_MIGRATION_FILE_RE = re.compile(r"^\s{1,3}(?P<path>\S.*\.py)\s*$")

# Operation.describe() texts of django.db.migrations.operations (3.2 to 5.2) that name models.
_MODEL_PATTERNS = [re.compile(pattern) for pattern in (
    r"^Create (?:proxy )?model (\w+)$",
    r"^Delete model (\w+)$",
    r"^Rename model (\w+) to (\w+)$",
    r"^Rename table for (\w+) to ",
    r"^Alter (\w+) table comment$",
    r"^Alter \w+ for (\w+) \(",
    r"^Set order_with_respect_to on (\w+) to ",
    r"^Change Meta options on (\w+)$",
    r"^Change managers on (\w+)$",
    r"^Create index \S+ on .* (?:of|on) model (\w+)$",
    r"^Remove index \S+ from (\w+)$",
    r"^Rename (?:unnamed )?index .+ on (\w+) to \S+$",
    r"^Create constraint \S+ on model (\w+)$",
    r"^Remove constraint \S+ from model (\w+)$",
    r"^Alter constraint \S+ on (\w+)$",
    r"^Add field \S+ to (\w+)$",
    r"^Remove field \S+ from (\w+)$",
    r"^Alter field \S+ on (\w+)$",
    r"^Rename field \S+ on (\w+) to \S+$",
)]

# An error line of Django's system checks, e.g. "?: (staticfiles.E002) The STATICFILES_DIRS setting ...":
# SystemCheckError's own first line names none of them.
_CHECK_ERROR_RE = re.compile(r"\([a-z_][\w.]*\.E\d+\) ")
_TRACEBACK = "Traceback (most recent call last):"
_EXCEPTION_LINE_RE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt)\b.*")
# Python warnings ("/path/x.py:12: DeprecationWarning: ...") and Django's usage hint say nothing about the failure.
_NOISE_RE = re.compile(r"^\S+:\d+: \w*Warning: |^Type '.+ help' for usage\.$")


class NautobotServerError(Exception):
    """``nautobot-server`` could not run or its output could not be read."""

    def __init__(self, msg, rc=None, stderr=None):
        super(NautobotServerError, self).__init__(msg)
        self.msg = msg
        self.rc = rc
        self.stderr_tail = tail(stderr)


def nautobot_server_path(root=DEFAULT_ROOT, venv=None, executable=None):
    """The nautobot-server to run: ``executable`` if given, else ``<venv or root>/bin/nautobot-server``."""
    if executable:
        return executable
    return os.path.join(venv or root, "bin", "nautobot-server")


def config_path(root=DEFAULT_ROOT, config=None):
    return config or os.path.join(root, CONFIG_FILENAME)


def secret_values(environment, min_length=1):
    """Values of environment variables whose names look secret (NAUTOBOT_DB_PASSWORD, NAUTOBOT_SECRET_KEY, ...),
    at least ``min_length`` long (masking a short value would mangle output it happens to appear in)."""
    return set(
        to_native(value) for name, value in (environment or {}).items()
        if value not in (None, "") and _SECRET_NAME_RE.search(name) and len(to_native(value)) >= min_length
    )


def tail(text, lines=STDERR_TAIL_LINES):
    """The last ``lines`` lines of ``text``, trailing blank lines dropped."""
    if not text:
        return []
    return text.rstrip().splitlines()[-lines:]


def failure_message(stderr, stdout=None):
    """One line saying why nautobot-server failed, from what it printed.

    After a traceback that is the exception line (the last traceback's, so the final one of a chain),
    for example ``FileNotFoundError: Configuration file not found at ...`` or
    ``django.db.utils.OperationalError: connection to server at ... failed: Connection refused``.
    Django's CommandError and other messages without a traceback: the last meaningful line.
    Django's system checks (which both commands here run, as most do): each error line.
    Python warnings are skipped; stdout is read when stderr holds nothing else.
    """
    checks = [line.strip() for text in (stderr, stdout) for line in (text or "").splitlines() if _CHECK_ERROR_RE.search(line)]
    if checks:
        return "Django's system checks failed: " + " ".join(checks)
    everything = []
    for text in (stderr, stdout):
        lines = [line.rstrip() for line in (text or "").splitlines() if line.strip()]
        everything.extend(lines)
        if _TRACEBACK in lines:
            start = len(lines) - lines[::-1].index(_TRACEBACK)
            for line in lines[start:]:
                if not line[0].isspace():
                    return line
        candidates = [line for line in lines if not line[0].isspace() and not _NOISE_RE.match(line)]
        exceptions = [line for line in candidates if _EXCEPTION_LINE_RE.match(line)]
        if exceptions or candidates:
            return (exceptions or candidates)[-1]
    return everything[-1].strip() if everything else "no output"


def parse_showmigrations_plan(text):
    """Applied and pending migrations ("app.name"), in plan order, from ``showmigrations --plan``.

    Lines that are not plan entries (warnings, blank lines) are skipped. Raises ValueError when the
    text holds no plan at all, rather than reporting that nothing is pending.
    """
    applied = []
    pending = []
    seen_plan = False
    for line in (text or "").splitlines():
        match = _PLAN_RE.match(line)
        if match:
            seen_plan = True
            (pending if match.group("mark") == " " else applied).append(match.group("name"))
        elif line.strip() == _NO_MIGRATIONS:
            seen_plan = True
    if not seen_plan:
        raise ValueError("no migration plan in the output of showmigrations --plan")
    return dict(applied=applied, pending=pending)


_APPLYING_RE = re.compile(r"^\s*Applying (?P<name>[^\s.]+\.\S+?)\.\.\.(?P<done> OK)?")


def parse_migrate_progress(text):
    """How far ``migrate`` is, from what it printed so far: ``{"applied": [names], "running": name or None}``.

    Django prints ``Applying app.name...`` when a migration starts and `` OK`` on the same line when it
    is recorded; a migration whose line has no `` OK`` yet is the one running (or the one that failed).
    """
    applied = []
    running = None
    for line in (text or "").splitlines():
        match = _APPLYING_RE.match(line)
        if not match:
            continue
        if match.group("done"):
            applied.append(match.group("name"))
            running = None
        else:
            running = match.group("name")
    return dict(applied=applied, running=running)


def parse_makemigrations_check(text):
    """Migrations ``makemigrations --check --dry-run`` would write, as a list of
    ``{"app": label, "migration": path as printed, "operations": [description, ...]}``."""
    changes = []
    app = None
    current = None
    for line in (text or "").splitlines():
        heading = _APP_HEADING_RE.match(line)
        if heading:
            app = heading.group("app")
            current = None
            continue
        if app is None:
            continue
        migration = _MIGRATION_FILE_RE.match(line)
        if migration:
            current = dict(app=app, migration=migration.group("path"), operations=[])
            changes.append(current)
            continue
        operation = _OPERATION_RE.match(line)
        if operation and current is not None:
            current["operations"].append(operation.group("text"))
    return changes


def models_in_operation(operation):
    """Lower-case model names an operation description mentions: "Add field size to widget" -> ["widget"]."""
    for pattern in _MODEL_PATTERNS:
        match = pattern.match(operation)
        if match:
            return [name.lower() for name in match.groups()]
    return []


def unreflected_models(changes):
    """Sorted "app.model" labels named by the operations in ``changes`` (see parse_makemigrations_check)."""
    models = set()
    for change in changes:
        for operation in change["operations"]:
            for model in models_in_operation(operation):
                models.add("%s.%s" % (change["app"], model))
    return sorted(models)


def results_complete(results, commands, script=None):
    """Whether ``results`` are what the commands script gives when it ran to its end: one for the script
    (alone when it failed), then one per command up to the first that failed (makemigrations' exit 1 is
    a finding, not a failure). Anything else is not that script's output (an interactive console ran it)."""
    results = list(results)
    if script:
        if not results:
            return False
        if results[0][0]:
            return len(results) == 1
        results = results[1:]
    if len(results) == len(commands):
        return True
    return 0 < len(results) < len(commands) and results[-1][0] != 0 and commands[len(results) - 1][0] != "makemigrations"


class NautobotServer(object):
    """One Nautobot installation's nautobot-server, run through ``module.run_command``.

    Arguments are passed as a list (no shell); NAUTOBOT_ROOT is set to ``root`` on top of ``environment``,
    and commands run in ``root`` when it exists, so paths Django prints relative to it stay meaningful.
    """

    def __init__(self, module, executable, root=DEFAULT_ROOT, config=None, environment=None, user=None):
        self.module = module
        self.user = user
        self.executable = executable
        self.root = root
        self.config = config_path(root, config)
        self.environment = dict(
            (to_native(name), to_native(value)) for name, value in (environment or {}).items() if value is not None
        )
        self.environment["NAUTOBOT_ROOT"] = root

    def check_executable(self):
        if not (os.path.isfile(self.executable) and os.access(self.executable, os.X_OK)):
            raise NautobotServerError(
                "nautobot-server not found at %s: point venv (or nautobot_server) at the Nautobot installation"
                % self.executable
            )

    @property
    def cwd(self):
        return self.root if os.path.isdir(self.root) else None

    def argv(self, args):
        # -c: 1.x knows only --config, 2.x only --config-path, every release -c.
        return [self.executable, "-c", self.config] + list(args)

    def run(self, args):
        """Run nautobot-server with ``args``; return (rc, stdout, stderr)."""
        if self.user:
            return run_as(self.argv(args), self.user, self.environment, cwd=self.cwd)
        return self.module.run_command(self.argv(args), environ_update=self.environment, cwd=self.cwd)

    def run_commands(self, commands, script=None):
        """Run ``script`` (Python source, if given) then each of ``commands`` (argument lists) in one
        ``nautobot-server shell``. Return (results, stdout): a (rc, stdout, stderr) for the script if given,
        then one per command that ran, and what the shell printed itself (the script's prints). A failure
        ends the list, except makemigrations', whose exit 1 with output is a finding. When the shell
        itself fails (the configuration, an import) or its results cannot be read, that is the first entry."""
        mark = "%s-%s" % (COMMANDS_MARK, binascii.hexlify(os.urandom(8)).decode())
        # ascii(): a literal any Python reads whatever the locale.
        source = COMMANDS_SCRIPT % (ascii([list(args) for args in commands]), ascii(script or ""), ascii(mark))
        rc, out, err = self.run(["shell", "--interface", "python", "--command=" + source])
        lines = (out or "").splitlines()
        for index in range(len(lines) - 1, -1, -1):
            if lines[index].startswith(mark + " "):
                try:
                    results = [tuple(result) for result in json.loads(lines[index][len(mark) + 1:])]
                except ValueError:
                    break
                if not results_complete(results, commands, script):
                    break
                return results, "\n".join(lines[:index] + lines[index + 1:]).strip("\n")
        if rc == 0:
            err = (err or "") + "\nnautobot-server shell printed no result of the checks"
        return [(rc or 1, out, err)], out or ""

    def _failure(self, command, rc, out, err):
        return NautobotServerError(
            "nautobot-server %s failed (exit %s): %s" % (command, rc, failure_message(err, out)), rc=rc, stderr=err or out,
        )

    def migration_state(self, pending=True, unreflected=True, script=None):
        """``{"plan": {"applied": [...], "pending": [...]}, "unreflected": [changes], "stdout": text}`` for what
        was asked, read by one Django start: ``script`` first (Python; what it prints is ``stdout``), then
        showmigrations --plan (the database in the configuration, plan order; Django's system checks run
        with it) and makemigrations --check --dry-run (model changes with no migration)."""
        commands = ([SHOWMIGRATIONS_PLAN] if pending else []) + ([MAKEMIGRATIONS_CHECK] if unreflected else [])
        results, stdout = self.run_commands(commands, script)
        state = dict(stdout=stdout)
        if script:
            rc, out, err = results.pop(0)
            if rc != 0:
                raise NautobotServerError(
                    "nautobot-server shell failed (exit %s): %s" % (rc, failure_message(err, out)), rc=rc, stderr=err or out)
        for args, (rc, out, err) in zip(commands, results):
            if args is SHOWMIGRATIONS_PLAN:
                state["plan"] = self._plan(rc, out, err)
            else:
                state["unreflected"] = self._unreflected(rc, out, err)
        return state

    def _plan(self, rc, out, err):
        if rc != 0:
            raise self._failure("showmigrations", rc, out, err)
        try:
            return parse_showmigrations_plan(out)
        except ValueError as error:
            raise NautobotServerError("nautobot-server showmigrations: %s" % error, rc=rc, stderr=err or out)

    def _unreflected(self, rc, out, err):
        changes = parse_makemigrations_check(out)
        # Exit 1 with "Migrations for ..." is the finding; any other non-zero exit is a failure to look.
        if rc != 0 and not changes:
            raise self._failure("makemigrations", rc, out, err)
        cwd = self.cwd
        for change in changes:
            if cwd and not os.path.isabs(change["migration"]):
                change["migration"] = os.path.join(cwd, change["migration"])
        return changes
