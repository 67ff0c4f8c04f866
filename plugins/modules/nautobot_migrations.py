#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: nautobot_migrations
short_description: Report pending Nautobot database migrations and model changes without migrations
version_added: 1.0.0
description:
  - Runs C(showmigrations --plan) and reports the migrations the database has not applied yet,
    in the order C(nautobot-server migrate) would apply them. Django's system checks run with it, as on its command line.
  - Runs C(makemigrations --check --dry-run) and reports model changes that no migration reflects,
    typically from an app or a local patch; migrating would leave the database behind such models.
    The module always passes C(--dry-run), because on Django before 4.2 C(--check) alone writes the migration files.
  - Both run in one C(nautobot-server shell) (one start of Nautobot, not one per command), each with the
    exit status and output its own command line would give.
  - Changes nothing on the host and always returns RV(ignore:changed=false); it runs in check mode too.
  - Pointing O(venv) at a newly installed release while O(root) and O(config) stay on the running installation
    lists what the new release would apply to the current database.
  - Commands run as the user Ansible runs the module as (use C(become_user) for the Nautobot user), with
    E(NAUTOBOT_ROOT) set to O(root), and in O(root) when it exists.
author:
  - nautobot_ops.lifecycle contributors (!UNKNOWN)
extends_documentation_fragment:
  - nautobot_ops.lifecycle.attributes
  - nautobot_ops.lifecycle.attributes.read_only
options:
  root:
    description:
      - NAUTOBOT_ROOT of the installation, which in the documented layout is also its virtual environment.
    type: path
    default: /opt/nautobot
  venv:
    description:
      - Virtual environment whose C(bin/nautobot-server) is run. Defaults to O(root).
    type: path
  nautobot_server:
    description:
      - Path of the C(nautobot-server) executable to run; overrides O(venv).
    type: path
  config:
    description:
      - Nautobot configuration file, passed as C(-c) (C(--config) in 1.x, C(--config-path) in 2.x). Defaults to C(<root>/nautobot_config.py).
    type: path
  environment:
    description:
      - Extra environment variables for C(nautobot-server), for example E(NAUTOBOT_DB_PASSWORD), applied over
        the unit's (see O(unit)). E(NAUTOBOT_ROOT) is always set to O(root).
      - A C(no_log) option, never logged; values of variables whose names contain C(PASS), C(SECRET),
        C(TOKEN), C(KEY) or C(CREDENTIAL) are masked in everything the module returns. Prefer it (or the unit's
        own environment) to the task keyword C(environment), which Ansible puts on the sudo command line.
    type: dict
    default: {}
  user:
    description:
      - Account nautobot-server runs as, when the module runs as root (C(become)). Empty to run as the module's
        own user.
    type: str
  unit:
    description:
      - systemd units whose environment (C(Environment=), C(EnvironmentFile=)) nautobot-server gets, as the site's
        own service does (the first the host has). Reading a root-only EnvironmentFile needs the module to run as
        root, with O(user). Empty (the default) for none.
    type: list
    elements: str
    default: []
  environment_file:
    description:
      - A JSON object of variables on the host (the operator's), applied over the unit's and under O(environment).
    type: path
  check_pending:
    description:
      - Run C(showmigrations --plan) and return RV(pending), RV(pending_count) and RV(applied_count).
    type: bool
    default: true
  check_unreflected:
    description:
      - Run C(makemigrations --check --dry-run) and return RV(unreflected), RV(unreflected_changes)
        and RV(unreflected_models).
    type: bool
    default: true
  script:
    description:
      - Python source run first in the same C(nautobot-server shell), with Django set up, for other facts
        read with the same start of Nautobot (each start takes seconds). What it prints is returned in
        RV(stdout). An exception in it fails the module, naming the exception, before the checks run.
      - It runs with the module's privileges on the managed host, as the Nautobot user (O(user)); pass only
        code you trust, as with C(nautobot-server shell) itself.
    type: str
notes:
  - Both commands load the whole Nautobot configuration and connect to the database, so they fail when
    the configuration is missing or wrong, the database is down, or C(git) is not on E(PATH)
    (Nautobot imports GitPython at start). The module then fails with the last meaningful line
    nautobot-server printed in RV(ignore:msg) and the end of its error output in RV(stderr_tail).
  - At least one of O(check_pending) and O(check_unreflected) must be V(true).
seealso:
  - name: Upgrading Nautobot
    description: The upstream upgrading guide; migrations run as part of C(nautobot-server post_upgrade).
    link: https://docs.nautobot.com/projects/core/en/stable/user-guide/administration/upgrading/upgrading/
  - name: makemigrations --check
    description: Django's documentation of the check this module runs.
    link: https://docs.djangoproject.com/en/stable/ref/django-admin/#cmdoption-makemigrations-check
"""

EXAMPLES = r"""
- name: Read the migration state of the running installation
  nautobot_ops.lifecycle.nautobot_migrations:
    root: /opt/nautobot
  become: true
  become_user: nautobot
  register: __upgrade_migrations

- name: Stop when models have changes no migration reflects
  ansible.builtin.assert:
    that: not __upgrade_migrations.unreflected
    fail_msg: "Models without migrations: {{ __upgrade_migrations.unreflected_models | join(', ') }}"

- name: List what the new release would apply to the current database
  nautobot_ops.lifecycle.nautobot_migrations:
    root: /opt/nautobot
    venv: /opt/nautobot-releases/3.2.7
    check_unreflected: false
    user: nautobot
    unit: [nautobot.service]
  become: true
  register: __upgrade_pending
"""

RETURN = r"""
nautobot_server:
  description: The C(nautobot-server) executable that was run.
  returned: always
  type: str
  sample: /opt/nautobot/bin/nautobot-server
stdout:
  description: What O(script) printed (with anything Nautobot itself printed on its standard output at start).
  returned: when O(script) is given
  type: str
  sample: 'NAUTOBOT_OPS_FACTS {"database_vendor": "postgresql"}'
stdout_lines:
  description: RV(stdout) split into lines.
  returned: when O(script) is given
  type: list
  elements: str
  sample: ['NAUTOBOT_OPS_FACTS {"database_vendor": "postgresql"}']
pending:
  description: Migrations not applied yet, as C(app.name), in the order C(migrate) applies them.
  returned: when O(check_pending=true)
  type: list
  elements: str
  sample: ["circuits.0023_remove_circuittermination_cable_peer_fields", "dcim.0085_fix_128gfc_qsfp28_typo"]
pending_count:
  description: Number of RV(pending) migrations.
  returned: when O(check_pending=true)
  type: int
  sample: 20
applied:
  description: Migrations the database has applied, as C(app.name) (what a newer release's own are compared with).
  returned: when O(check_pending=true)
  type: list
  elements: str
  sample: ["circuits.0001_initial_part_1", "dcim.0001_initial_part_1"]
applied_count:
  description: Number of migrations the database has applied.
  returned: when O(check_pending=true)
  type: int
  sample: 451
unreflected:
  description: Whether models have changes that no migration reflects.
  returned: when O(check_unreflected=true)
  type: bool
  sample: true
unreflected_changes:
  description: The migrations C(makemigrations) would write; empty when RV(unreflected=false).
  returned: when O(check_unreflected=true)
  type: list
  elements: dict
  contains:
    app:
      description: App label.
      type: str
      sample: fixture_unreflected
    migration:
      description: Path of the migration file that would be written.
      type: str
      sample: /srv/apps/fixture_unreflected/migrations/0002_widget_size.py
    operations:
      description: Operations of that migration as Django describes them, without the leading category sign.
      type: list
      elements: str
      sample: ["Add field size to widget"]
unreflected_models:
  description: Models (C(app.model), lower case) named by the operations in RV(unreflected_changes), sorted.
  returned: when O(check_unreflected=true)
  type: list
  elements: str
  sample: ["fixture_unreflected.widget"]
rc:
  description: Exit status of the nautobot-server command that failed.
  returned: when nautobot-server ran and failed
  type: int
  sample: 1
stderr_tail:
  description: The last lines nautobot-server printed on error output (on standard output when that was empty) when it failed.
  returned: failure
  type: list
  elements: str
  sample: ["FileNotFoundError: Configuration file not found at /nonexistent.py - Please provide a valid --config-path path, ..."]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_environment import (
    SiteEnvironmentError,
    site_environment,
)
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_server import (
    NautobotServer,
    NautobotServerError,
    nautobot_server_path,
    secret_values,
    unreflected_models,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type="path", default="/opt/nautobot"),
            venv=dict(type="path"),
            nautobot_server=dict(type="path"),
            config=dict(type="path"),
            environment=dict(type="dict", default={}, no_log=True),
            user=dict(type="str"),
            unit=dict(type="list", elements="str", default=[]),
            environment_file=dict(type="path"),
            check_pending=dict(type="bool", default=True),
            check_unreflected=dict(type="bool", default=True),
            script=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if not (params["check_pending"] or params["check_unreflected"]):
        module.fail_json(msg="nothing to do: check_pending and check_unreflected are both false")

    executable = nautobot_server_path(params["root"], params["venv"], params["nautobot_server"])
    result = dict(changed=False, nautobot_server=executable)
    try:
        environment, dummy = site_environment(
            module, params["unit"], params["environment"], operator_file=params["environment_file"]
        )
        module.no_log_values.update(secret_values(environment, min_length=8))
        server = NautobotServer(module, executable, params["root"], params["config"], environment, user=params["user"])
        server.check_executable()
        state = server.migration_state(pending=params["check_pending"], unreflected=params["check_unreflected"],
                                       script=params["script"])
        if params["script"]:
            result.update(stdout=state["stdout"], stdout_lines=state["stdout"].splitlines())
        if "plan" in state:
            plan = state["plan"]
            result.update(pending=plan["pending"], pending_count=len(plan["pending"]), applied=plan["applied"],
                          applied_count=len(plan["applied"]))
        if "unreflected" in state:
            changes = state["unreflected"]
            result.update(unreflected=bool(changes), unreflected_changes=changes, unreflected_models=unreflected_models(changes))
    except SiteEnvironmentError as error:
        module.fail_json(msg=str(error), **result)
    except NautobotServerError as error:
        result.update(msg=error.msg, stderr_tail=error.stderr_tail)
        if error.rc is not None:
            result["rc"] = error.rc
        module.fail_json(**result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
