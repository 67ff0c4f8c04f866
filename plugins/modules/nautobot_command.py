#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: nautobot_command
short_description: Run nautobot-server (or the venv's pip or python) as the Nautobot user, with the site's environment
version_added: 1.0.0
description:
  - Runs C(<venv>/bin/<program>) as O(user) with the environment the site's own unit runs with
    (its C(Environment=) and C(EnvironmentFile=), read from systemd by root on the host), then
    O(environment_file) and O(environment) (the operator's), then O(env) (the collection's, not secret).
  - Secrets such as E(NAUTOBOT_DB_PASSWORD) therefore never travel through a command line, a module argument
    or the task's C(environment) keyword, which Ansible puts on the sudo command line (kept by the host's
    journal, printed by C(-vvv), visible to every process on the host).
  - Run it as root (C(become)); from root the command runs as O(user). Run as O(user) itself, it can read only
    what that user can.
  - Like M(ansible.builtin.command), it always reports a change and fails when the command exits non-zero; use
    C(changed_when) and C(failed_when) for what the command's output means.
author:
  - nautobot_ops.lifecycle contributors (!UNKNOWN)
extends_documentation_fragment:
  - nautobot_ops.lifecycle.attributes
attributes:
  check_mode:
    support: none
  diff_mode:
    support: none
options:
  venv:
    description:
      - Virtual environment whose C(bin/<program>) runs.
    type: path
    required: true
  program:
    description:
      - What to run from the venv.
    type: str
    choices: [nautobot-server, pip, python]
    default: nautobot-server
  config:
    description:
      - C(nautobot_config.py) passed as C(-c) to nautobot-server (ignored for the other programs).
    type: path
  argv:
    description:
      - Arguments after the program (and after C(-c CONFIG) for nautobot-server).
    type: list
    elements: str
    default: []
  stdin:
    description:
      - Text given on standard input (a script for C(nautobot-server shell --interface python)).
    type: str
  chdir:
    description:
      - Directory to run in.
    type: path
  user:
    description:
      - Account the command runs as.
    type: str
    default: nautobot
  unit:
    description:
      - systemd units whose environment the command gets, in order of preference. The first the host has
        (C(LoadState=loaded)) gives its C(Environment=) and C(EnvironmentFile=) (globs and the optional C(-) prefix
        as systemd reads them). An C(EnvironmentFile) that cannot be read fails the task.
      - Empty to take no unit's environment.
    type: list
    elements: str
    default: [nautobot.service]
  environment_file:
    description:
      - A JSON object of variables on the host (the operator's, kept readable by root only), applied over the
        unit's. Ignored where it does not exist. Its secret-looking values are masked in what the command prints.
    type: path
  environment:
    description:
      - Variables applied over the unit's and O(environment_file)'s. A C(no_log) option, never logged; note that
        Ansible then masks each of its values wherever it appears in the result (a short value such as V(db)
        inside a checksum too). Prefer O(environment_file) where the output is read.
    type: dict
    default: {}
  env:
    description:
      - Variables that are not secret (E(NAUTOBOT_ROOT), paths for a script), applied last. Logged like any argument.
    type: dict
    default: {}
  log:
    description:
      - A file the command's standard output is written to as it runs (replaced, mode C(0600), owned by the user
        the module runs as), so that a long command run with C(async) can be followed
        (M(nautobot_ops.lifecycle.nautobot_migrate_watch)). RV(stdout) is still returned, read back from it.
    type: path
"""

EXAMPLES = r"""
- name: Apply the new release's migrations
  nautobot_ops.lifecycle.nautobot_command:
    venv: /opt/nautobot
    config: /opt/nautobot/nautobot_config.py
    argv: [migrate, --no-input]
    chdir: /opt/nautobot
    env:
      NAUTOBOT_ROOT: /opt/nautobot
  become: true
  register: migrate_run
  changed_when: "'No migrations to apply' not in migrate_run.stdout"
"""

RETURN = r"""
cmd:
  description: The command run (program and arguments; never the environment).
  returned: always
  type: list
  elements: str
rc:
  description: Exit status.
  returned: when the command ran
  type: int
stdout:
  description: Standard output.
  returned: when the command ran
  type: str
stderr:
  description: Standard error.
  returned: when the command ran
  type: str
stdout_lines:
  description: RV(stdout) split into lines.
  returned: when the command ran
  type: list
  elements: str
stderr_lines:
  description: RV(stderr) split into lines.
  returned: when the command ran
  type: list
  elements: str
environment_sources:
  description: The files the environment was read from (their names only, never what they hold).
  returned: when the command ran
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_environment import (
    SiteEnvironmentError,
    run_as,
    site_environment,
)
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_server import secret_values


def main():
    module = AnsibleModule(
        argument_spec=dict(
            venv=dict(type="path", required=True),
            program=dict(type="str", default="nautobot-server", choices=["nautobot-server", "pip", "python"]),
            config=dict(type="path"),
            argv=dict(type="list", elements="str", default=[]),
            stdin=dict(type="str"),
            chdir=dict(type="path"),
            user=dict(type="str", default="nautobot"),
            unit=dict(type="list", elements="str", default=["nautobot.service"]),
            environment_file=dict(type="path"),
            environment=dict(type="dict", default={}, no_log=True),
            env=dict(type="dict", default={}),
            log=dict(type="path"),
        ),
        supports_check_mode=False,
    )
    params = module.params
    executable = os.path.join(params["venv"], "bin", params["program"])
    argv = [executable]
    if params["program"] == "nautobot-server" and params["config"]:
        # -c: 1.x knows only --config, 2.x only --config-path, every release -c.
        argv += ["-c", params["config"]]
    argv += params["argv"]
    result = dict(changed=True, cmd=argv)
    try:
        environment, sources = site_environment(
            module, params["unit"], params["environment"], params["env"], params["environment_file"]
        )
        # What the command prints is returned and may be logged: the secrets it was given are masked in it.
        secrets = secret_values(environment, min_length=8)
        module.no_log_values.update(secrets)
        if not os.access(executable, os.X_OK):
            module.fail_json(msg="%s not found or not executable" % executable, **result)
        rc, out, err = run_as(
            argv, params["user"], environment, cwd=params["chdir"], data=params["stdin"], log=params["log"]
        )
    except (SiteEnvironmentError, OSError) as error:
        module.fail_json(msg=str(error), **result)
    for secret in sorted(secrets, key=len, reverse=True):
        out, err = out.replace(secret, "********"), err.replace(secret, "********")
    result.update(
        rc=rc, stdout=out, stderr=err, stdout_lines=out.splitlines(), stderr_lines=err.splitlines(),
        environment_sources=sources,
    )
    if rc != 0:
        module.fail_json(msg="%s exited %d" % (" ".join(argv[:1] + params["argv"][:2]), rc), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
