# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import pytest

from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils import nautobot_server as ns
from ansible_collections.nautobot_ops.lifecycle.tests.unit.captured import fixture


# Captured from Nautobot 3.1.0 (Django 5.2); see fixtures/nautobot_server/README.md.
@pytest.mark.parametrize("name, applied, pending, first_pending, last_pending", [
    ("showmigrations-plan-3.1.0-applied.txt", 451, 0, None, None),
    ("showmigrations-plan-3.1.0-db-3.2.7-code.txt", 451, 20,
     "circuits.0023_remove_circuittermination_cable_peer_fields", "ipam.0058_iprange_role_data"),
])
def test_parse_showmigrations_plan_captured(name, applied, pending, first_pending, last_pending):
    plan = ns.parse_showmigrations_plan(fixture(name))
    assert len(plan["applied"]) == applied
    assert len(plan["pending"]) == pending
    assert plan["applied"][0] == "contenttypes.0001_initial"
    if pending:
        assert plan["pending"][0] == first_pending
        assert plan["pending"][-1] == last_pending
        assert "dcim.0086_cabletype" in plan["pending"]
        assert plan["pending"].index("dcim.0086_cabletype") < plan["pending"].index("dcim.0087_populate_default_cable_types")


def test_parse_showmigrations_plan_tolerates_noise_and_verbosity_2():
    text = "\n".join([
        "/opt/nautobot/lib/python3.11/site-packages/x.py:3: DeprecationWarning: old",
        "  warnings.warn(",
        "",
        "[X]  contenttypes.0001_initial",
        "  [X]   auth.0001_initial ... (contenttypes.0001_initial)  ",
        "[ ]  app.0002_x ... (app.0001_initial, auth.0001_initial)",
        "[ ]  app.0003_y",
        "\t",
    ])
    plan = ns.parse_showmigrations_plan(text)
    assert plan == dict(applied=["contenttypes.0001_initial", "auth.0001_initial"], pending=["app.0002_x", "app.0003_y"])


def test_parse_showmigrations_plan_empty_project():
    assert ns.parse_showmigrations_plan("(no migrations)\n") == dict(applied=[], pending=[])


@pytest.mark.parametrize("text", ["", "No changes detected\n", "Unknown command: 'showmigrations'\n"])
def test_parse_showmigrations_plan_refuses_output_without_a_plan(text):
    with pytest.raises(ValueError):
        ns.parse_showmigrations_plan(text)


def test_parse_makemigrations_clean():
    changes = ns.parse_makemigrations_check(fixture("makemigrations-check-3.1.0-clean.txt"))
    assert changes == []
    assert ns.unreflected_models(changes) == []


def test_parse_makemigrations_unreflected_captured():
    changes = ns.parse_makemigrations_check(fixture("makemigrations-check-3.1.0-unreflected.txt"))
    assert changes == [dict(
        app="fixture_unreflected",
        migration="/srv/apps/fixture_unreflected/migrations/0002_widget_size.py",
        operations=["Add field size to widget"],
    )]
    assert ns.unreflected_models(changes) == ["fixture_unreflected.widget"]


def test_parse_makemigrations_django4_style_several_apps():
    # Django <= 5.0 prefixes every operation with "-"; paths below the working directory are relative.
    text = "\n".join([
        "Migrations for 'fixture_unreflected':",
        "  apps/fixture_unreflected/migrations/0002_widget_size.py",
        "    - Add field size to widget",
        "    - Create model Gadget",
        "Migrations for 'dcim':",
        "  /opt/nautobot/lib/python3.8/site-packages/nautobot/dcim/migrations/0099_auto.py",
        "    - Alter field name on device",
        "    - Remove field legacy from device",
        "    - Raw Python operation",
    ])
    changes = ns.parse_makemigrations_check(text)
    assert [(c["app"], c["migration"]) for c in changes] == [
        ("fixture_unreflected", "apps/fixture_unreflected/migrations/0002_widget_size.py"),
        ("dcim", "/opt/nautobot/lib/python3.8/site-packages/nautobot/dcim/migrations/0099_auto.py"),
    ]
    assert changes[0]["operations"] == ["Add field size to widget", "Create model Gadget"]
    assert changes[1]["operations"] == ["Alter field name on device", "Remove field legacy from device", "Raw Python operation"]
    assert ns.unreflected_models(changes) == ["dcim.device", "fixture_unreflected.gadget", "fixture_unreflected.widget"]


@pytest.mark.parametrize("operation, models", [
    ("Add field size to widget", ["widget"]),
    ("Remove field size from widget", ["widget"]),
    ("Alter field size on widget", ["widget"]),
    ("Rename field size on widget to width", ["widget"]),
    ("Create model Widget", ["widget"]),
    ("Create proxy model SmallWidget", ["smallwidget"]),
    ("Delete model Widget", ["widget"]),
    ("Rename model Widget to Gadget", ["widget", "gadget"]),
    ("Rename table for widget to app_widget", ["widget"]),
    ("Alter unique_together for widget (1 constraint(s))", ["widget"]),
    ("Change Meta options on widget", ["widget"]),
    ("Change managers on widget", ["widget"]),
    ("Set order_with_respect_to on widget to owner", ["widget"]),
    ("Create index widget_size_idx on field(s) size, name of model widget", ["widget"]),
    ("Create index widget_lower_idx on Lower(F(name)) on model widget", ["widget"]),
    ("Remove index widget_size_idx from widget", ["widget"]),
    ("Rename index old_idx on widget to new_idx", ["widget"]),
    ("Rename unnamed index for ('size', 'name') on widget to new_idx", ["widget"]),
    ("Create constraint size_positive on model widget", ["widget"]),
    ("Remove constraint size_positive from model widget", ["widget"]),
    ("Alter constraint size_positive on widget", ["widget"]),
    ("Alter widget table comment", ["widget"]),
    ("Raw SQL operation", []),
    ("Raw Python operation", []),
])
def test_models_in_operation(operation, models):
    assert ns.models_in_operation(operation) == models


@pytest.mark.parametrize("sign", ["+", "-", "~", "p", "s", "?"])
def test_parse_makemigrations_django51_category_signs(sign):
    text = "Migrations for 'app':\n  app/migrations/0002_x.py\n    %s Alter field size on widget\n" % sign
    assert ns.parse_makemigrations_check(text)[0]["operations"] == ["Alter field size on widget"]


@pytest.mark.parametrize("name, message", [
    ("showmigrations-plan-3.1.0-database-down.stderr.txt",
     'django.db.utils.OperationalError: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused'),
    ("showmigrations-plan-3.1.0-missing-config.stderr.txt",
     "FileNotFoundError: Configuration file not found at /nonexistent.py - Please provide a valid --config-path path,"
     " or use 'nautobot-server init' to create a new configuration."),
])
def test_failure_message_captured(name, message):
    assert ns.failure_message(fixture(name)) == message


@pytest.mark.parametrize("stderr, stdout, message", [
    ("CommandError: Conflicting migrations detected; multiple leaf nodes in the migration graph: (0002_a, 0002_b in app).\n"
     "To fix them run 'python manage.py makemigrations --merge'\n", "",
     "CommandError: Conflicting migrations detected; multiple leaf nodes in the migration graph: (0002_a, 0002_b in app)."),
    ("/x/y.py:10: DeprecationWarning: old\n  warnings.warn(\nsomething broke\n\n", "", "something broke"),
    ("", "It is impossible to add a non-nullable field 'size' to widget without specifying a default.\n",
     "It is impossible to add a non-nullable field 'size' to widget without specifying a default."),
    ("Traceback (most recent call last):\n  File \"/opt/nautobot/bin/nautobot-server\", line 5, in <module>\n"
     "    from nautobot.core.cli import main\nImportError: Failed to initialize: Bad git executable.\n"
     "The git executable must be specified in one of the following ways:\n    - be included in your $PATH\n", "",
     "ImportError: Failed to initialize: Bad git executable."),
    ("/x/y.py:10: DeprecationWarning: old\n  warnings.warn(\n", "Unknown command: 'showmigration'\nType 'nautobot-server help' for usage.\n",
     "Unknown command: 'showmigration'"),
    ("/x/y.py:10: DeprecationWarning: old\n  warnings.warn(\n", "", "warnings.warn("),
    ("", "", "no output"),
    # Captured: nautobot-server check of 3.2.7 with STATIC_ROOT added to STATICFILES_DIRS.
    ("SystemCheckError: System check identified some issues:\n\nERRORS:\n"
     "?: (staticfiles.E002) The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting.\n\n"
     "System check identified 1 issue (0 silenced).\n", "",
     "Django's system checks failed: ?: (staticfiles.E002) The STATICFILES_DIRS setting should not contain the STATIC_ROOT setting."),
    ("SystemCheckError: System check identified some issues:\n\nERRORS:\n"
     "dcim.Widget.size: (fields.E304) Reverse accessor clashes.\n\tHINT: Add a related_name.\n"
     "?: (urls.E004) Your URL pattern is invalid.\n\nWARNINGS:\n?: (security.W004) not set\n", "",
     "Django's system checks failed: dcim.Widget.size: (fields.E304) Reverse accessor clashes. ?: (urls.E004) Your URL pattern is invalid."),
])
def test_failure_message_synthetic(stderr, stdout, message):
    assert ns.failure_message(stderr, stdout) == message


def test_tail_keeps_the_last_lines():
    stderr = fixture("showmigrations-plan-3.1.0-database-down.stderr.txt")
    lines = ns.tail(stderr)
    assert len(lines) == ns.STDERR_TAIL_LINES
    assert lines[-1] == "\tIs the server running on that host and accepting TCP/IP connections?"
    assert ns.tail("") == []


@pytest.mark.parametrize("root, venv, executable, expected", [
    ("/opt/nautobot", None, None, "/opt/nautobot/bin/nautobot-server"),
    ("/opt/nautobot", "/opt/nautobot-releases/3.2.7", None, "/opt/nautobot-releases/3.2.7/bin/nautobot-server"),
    ("/opt/nautobot", "/opt/venv", "/usr/local/bin/nautobot-server", "/usr/local/bin/nautobot-server"),
])
def test_nautobot_server_path(root, venv, executable, expected):
    assert ns.nautobot_server_path(root, venv, executable) == expected


def test_secret_values_by_name():
    environment = dict(NAUTOBOT_DB_PASSWORD="hunter2", NAUTOBOT_SECRET_KEY="k" * 50, NAUTOBOT_DB_HOST="db",
                       NAUTOBOT_REDIS_PASSWORD="", NAUTOBOT_NAPALM_PASSWORD=None)
    assert ns.secret_values(environment) == set(["hunter2", "k" * 50])


# What `nautobot-server migrate --no-input` prints, as Django 4.2 writes it (flushing after each part).
MIGRATE_OUTPUT = """\
Operations to perform:
  Apply all migrations: admin, auth, circuits, contenttypes, dcim, extras, ipam
Running migrations:
  Applying dcim.0070_alter_device_name... OK
  Applying extras.0120_job_queue... OK
  Applying ipam.0057_namespace_data..."""


def test_parse_migrate_progress_running():
    progress = ns.parse_migrate_progress(MIGRATE_OUTPUT)
    assert progress == {"applied": ["dcim.0070_alter_device_name", "extras.0120_job_queue"], "running": "ipam.0057_namespace_data"}


def test_parse_migrate_progress_done_and_verbose():
    text = MIGRATE_OUTPUT + " OK (12.345s)\n  Applying ipam.0058_x... OK\n"
    progress = ns.parse_migrate_progress(text)
    assert progress["running"] is None and progress["applied"][-2:] == ["ipam.0057_namespace_data", "ipam.0058_x"]


@pytest.mark.parametrize("text", ["", None, "No migrations to apply.\n", "Operations to perform:\n  Apply all migrations: dcim\n"])
def test_parse_migrate_progress_nothing_yet(text):
    assert ns.parse_migrate_progress(text) == {"applied": [], "running": None}
