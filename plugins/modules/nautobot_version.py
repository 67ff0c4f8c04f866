#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: nautobot_version
short_description: Plan a Nautobot version change and check it against upstream rules
version_added: 0.1.0
description:
  - Compares the installed (or given) Nautobot version with a target version and reports what the change is
    (upgrade, downgrade or none), the upgrade path the upstream upgrading guides require or recommend,
    the extra C(nautobot-server) commands the change needs, the release notes to read,
    and the target's requirements (Python, PostgreSQL, MySQL, Redis).
  - Checks the given Python and database versions against those requirements and reports every violation.
  - Changes nothing on the host. When O(current) is not given, it runs the Python interpreter of the
    Nautobot virtual environment to read the installed version of the C(nautobot) distribution.
  - The knowledge of Nautobot releases lives in the collection's C(plugins/module_utils/nautobot_releases.py),
    each row naming its upstream source.
author:
  - nautobot_ops maintainers (!UNKNOWN)
extends_documentation_fragment:
  - nautobot_ops.lifecycle.attributes
  - nautobot_ops.lifecycle.attributes.read_only
options:
  target:
    description:
      - The Nautobot version to go to, in PEP 440 form (C(3.2.7), C(3.2), C(2.0.0rc1), C(2.0.0.post1));
        a leading C(v) as in git tags is accepted.
    type: str
    required: true
  current:
    description:
      - The installed Nautobot version. When not given, it is read from the installation in O(venv).
    type: str
  root:
    description:
      - NAUTOBOT_ROOT of the installation, which in the documented layout is also its virtual environment.
      - Used to find the installed version when O(current) is not given and O(venv) is not set.
    type: path
    default: /opt/nautobot
  venv:
    description:
      - Virtual environment Nautobot is installed in, when it is not O(root).
      - The module runs C(<venv>/bin/python) to read the installed version of the C(nautobot) distribution.
    type: path
  required_paths:
    description:
      - Paths an installation has (C(nautobot-server), the configuration). When one is missing, the module
        returns them in RV(missing) and reads and plans nothing else (the caller refuses, naming them).
    type: list
    elements: path
    default: []
  allow_downgrade:
    description:
      - Accept a target older than the current version.
      - Installing an older release does not reverse Nautobot's database migrations; a downgrade also needs
        the database restored from a backup.
    type: bool
    default: false
  python_version:
    description:
      - Python version the target will run on, for example C(3.11.2); checked against the target's supported range.
    type: str
  postgresql_version:
    description:
      - PostgreSQL server version, for example C(15.14), or what C(SHOW server_version) or the SQL function
        C(version) print; the leading version number is used.
    type: str
  mysql_version:
    description:
      - MySQL server version, for example C(8.0.36-0ubuntu0.22.04.1). MariaDB is reported as unsupported.
    type: str
  redis_version:
    description:
      - Redis server version, for example C(7.0.15).
    type: str
  requires_python:
    description:
      - The C(Requires-Python) of the target's own package (its wheel's metadata), for example C(>=3.10,<3.15).
      - Used only for a target newer than the release series the collection knows; then it gives the Python
        range checked, and the other requirements are those of the newest known series of its major version.
    type: str
  allow_unknown_release:
    description:
      - Plan a target of a major version the collection does not know, with the rules of the newest known
        series and without the upgrade guide's stops and commands for that major version.
      - A newer minor release of a known major version needs no opt-in; it is planned with a warning.
    type: bool
    default: false
  emit_warnings:
    description:
      - Emit RV(warnings_found) as Ansible warnings too.
      - V(false) for a first look whose warnings a later call of the same run repeats, so each is printed once.
    type: bool
    default: true
  fail_on_violation:
    description:
      - Fail, listing every violation in one message, when there is any. The other return values are still returned.
      - When V(false), violations are only returned in RV(violations).
    type: bool
    default: true
notes:
  - An invalid O(target) or O(current) fails the module whatever O(fail_on_violation) says.
seealso:
  - name: Upgrading Nautobot
    description: The upstream upgrading guide this module follows.
    link: https://docs.nautobot.com/projects/core/en/stable/user-guide/administration/upgrading/upgrading/
"""

EXAMPLES = r"""
- name: Read the Python version of the virtual environment the target will be installed with
  ansible.builtin.command: /usr/bin/python3 -c "import platform; print(platform.python_version())"
  register: __upgrade_python
  changed_when: false
  check_mode: false

- name: Read the PostgreSQL server version
  ansible.builtin.command: psql -XtAc "SHOW server_version"
  become: true
  become_user: postgres
  register: __upgrade_postgresql
  changed_when: false
  check_mode: false

- name: Check that the Nautobot in /opt/nautobot can go to 3.2.7 on this host
  nautobot_ops.lifecycle.nautobot_version:
    target: 3.2.7
    python_version: "{{ __upgrade_python.stdout }}"
    postgresql_version: "{{ __upgrade_postgresql.stdout }}"
    redis_version: 7.0.15
  register: __upgrade_version

- name: Report the plan without failing
  nautobot_ops.lifecycle.nautobot_version:
    current: 2.3.16
    target: 3.2.7
    fail_on_violation: false
  register: __upgrade_plan

- name: Read the version installed in a venv outside NAUTOBOT_ROOT
  nautobot_ops.lifecycle.nautobot_version:
    venv: /opt/nautobot-venvs/3.1.0
    target: 3.1.0
"""

RETURN = r"""
missing:
  description: The paths of O(required_paths) that do not exist; when any, no other value is returned.
  returned: when a path of O(required_paths) is missing
  type: list
  elements: str
  sample: [/opt/nautobot/bin/nautobot-server]
current:
  description: The current version (given or detected), normalised.
  returned: unless RV(missing) is
  type: str
  sample: 3.1.0
target:
  description: The target version, normalised (no leading C(v)).
  returned: unless RV(missing) is
  type: str
  sample: 3.2.7
action:
  description: What going from RV(current) to RV(target) is.
  returned: unless RV(missing) is
  type: str
  choices: [upgrade, downgrade, none]
  sample: upgrade
major_change:
  description: Whether the major version differs.
  returned: unless RV(missing) is
  type: bool
  sample: false
requirements:
  description:
    - What the target needs; empty when the target is not in a release series the collection knows.
  returned: unless RV(missing) is
  type: dict
  contains:
    python:
      description: Supported Python versions, from C(min) up to but excluding C(max_exclusive).
      type: dict
      sample: {"min": "3.10", "max_exclusive": "3.15"}
    postgresql:
      description: Minimum PostgreSQL version.
      type: str
      sample: "14"
    mysql:
      description: Minimum MySQL version; null when the target does not support MySQL.
      type: str
      sample: 8.0.11
    redis:
      description: Minimum Redis version.
      type: str
      sample: "4.0"
    source:
      description: Upstream files (tag and path in the nautobot/nautobot repository) these values come from.
      type: str
      sample: v3.1.6 user-guide/administration/installation/index.md; pyproject.toml python >=3.10,<3.15
    origin:
      description:
        - For each requirement, where it comes from, the collection's table (naming the series whose row applies)
          or the package metadata (O(requires_python)).
      type: dict
      sample: {"python": "package metadata (Requires-Python >=3.10,<3.15)", "postgresql": "table (Nautobot 3.2)",
               "mysql": "table (Nautobot 3.2)", "redis": "table (Nautobot 3.2)"}
warnings_found:
  description:
    - Sentences about a target newer than the release series the collection knows, planned with the rules
      of the newest known series (also emitted as Ansible warnings).
  returned: unless RV(missing) is
  type: list
  elements: str
  sample: ["Nautobot 3.3.0 is newer than the releases this collection knows (up to 3.2): planned with the rules of 3.2,
            Python >= 3.10, < 3.15 from table (Nautobot 3.2). Read
            https://docs.nautobot.com/projects/core/en/stable/release-notes/version-3.3/ before upgrading."]
violations:
  description:
    - One sentence for each problem found; empty when the change can go ahead.
    - Covers a downgrade without O(allow_downgrade), a path the upgrading guides do not allow,
      a Python version out of range, a database or Redis older than the minimum, MySQL where it is
      unsupported, MariaDB, an unparsable fact and a target in an unknown release series.
  returned: unless RV(missing) is
  type: list
  elements: str
  sample: ["Nautobot 3.2.7 cannot be reached from 2.3.16 directly: upgrade to 2.4.15 or later (latest 2.4.x) first;
            the path is 2.3.16 -> 2.4.15 or later (latest 2.4.x) -> 3.2.7."]
path:
  description:
    - The installations to go through, in order, ending with the target; empty when RV(action=none).
    - Intermediate steps are the stops the upstream upgrading guides require (C(required=true)) or
      recommend (C(required=false)) before crossing a major version.
  returned: unless RV(missing) is
  type: list
  elements: dict
  contains:
    series:
      description: Release series C(X.Y) to install at this step.
      type: str
      sample: "2.4"
    min_version:
      description: Lowest acceptable version for this step; the target itself for the last step.
      type: str
      sample: 2.4.15
    description:
      description: The step in words.
      type: str
      sample: 2.4.15 or later (latest 2.4.x)
    required:
      description: Whether upstream requires this step (true) or only recommends it (false). Always true for the target.
      type: bool
      sample: true
    source:
      description: Upstream document the step comes from.
      type: str
      sample: next user-guide/administration/upgrading/from-v2/index.md
  sample:
    - {"series": "2.4", "min_version": "2.4.15", "description": "2.4.15 or later (latest 2.4.x)", "required": true,
       "source": "next user-guide/administration/upgrading/from-v2/index.md"}
    - {"series": "3.2", "min_version": "3.2.7", "description": "3.2.7", "required": true,
       "source": "https://docs.nautobot.com/projects/core/en/stable/release-notes/version-3.2/"}
pre_commands:
  description:
    - Arguments to C(nautobot-server) to run on the installed release before crossing into a new major version
      (before installing and migrating the new one), for every major version crossed.
  returned: unless RV(missing) is
  type: list
  elements: str
  sample: ["check_job_approval_status"]
post_commands:
  description:
    - Arguments to C(nautobot-server) to run after migrating to a new major version, for every major version crossed.
  returned: unless RV(missing) is
  type: list
  elements: str
  sample: ["validate_models extras.dynamicgroup extras.savedview"]
release_notes:
  description:
    - Release-notes pages of every release series an upgrade enters (the current series excluded, the target's included);
      for an upgrade within one series, that series' page. Empty for a downgrade or no change.
  returned: unless RV(missing) is
  type: list
  elements: str
  sample: ["https://docs.nautobot.com/projects/core/en/stable/release-notes/version-3.2/"]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_releases import plan
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_version_utils import InvalidVersion

# importlib_metadata: the backport Nautobot 1.x installs on Python < 3.8. Not `nautobot-server --version`,
# whose output format changed in 2.2.
DETECT_SCRIPT = (
    "try:\n"
    "    import importlib.metadata as m\n"
    "except ImportError:\n"
    "    import importlib_metadata as m\n"
    "print(m.version('nautobot'))\n"
)


def installed_version(module, venv):
    python = os.path.join(venv, "bin", "python")
    if not os.access(python, os.X_OK):
        module.fail_json(msg="no Nautobot installation found at %s: %s is not an executable" % (venv, python))
    try:
        rc, out, err = module.run_command([python, "-c", DETECT_SCRIPT], handle_exceptions=False)
    except OSError as error:
        module.fail_json(msg="no Nautobot installation found at %s: %s" % (venv, error))
    lines = (err or out).strip().splitlines()
    if rc != 0 or not out.strip():
        module.fail_json(
            msg="no Nautobot installation found at %s: %s" % (venv, lines[-1] if lines else "rc=%d" % rc),
            rc=rc, stdout=out, stderr=err,
        )
    return out.strip().splitlines()[-1]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            target=dict(type="str", required=True),
            current=dict(type="str"),
            root=dict(type="path", default="/opt/nautobot"),
            venv=dict(type="path"),
            required_paths=dict(type="list", elements="path", default=[]),
            allow_downgrade=dict(type="bool", default=False),
            python_version=dict(type="str"),
            postgresql_version=dict(type="str"),
            mysql_version=dict(type="str"),
            redis_version=dict(type="str"),
            requires_python=dict(type="str"),
            allow_unknown_release=dict(type="bool", default=False),
            emit_warnings=dict(type="bool", default=True),
            fail_on_violation=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    missing = [path for path in params["required_paths"] if not os.path.exists(path)]
    if missing:
        module.exit_json(changed=False, missing=missing)
    current = params["current"]
    if current is None:
        current = installed_version(module, params["venv"] or params["root"])
    facts = dict(
        python=params["python_version"],
        postgresql=params["postgresql_version"],
        mysql=params["mysql_version"],
        redis=params["redis_version"],
    )
    try:
        result = plan(current, params["target"], allow_downgrade=params["allow_downgrade"], facts=facts,
                      requires_python=params["requires_python"], allow_unknown_release=params["allow_unknown_release"])
    except InvalidVersion as error:
        module.fail_json(msg=str(error))
    # "warnings" is Ansible's own return key: the sentences are returned under a name of their own.
    result["warnings_found"] = result.pop("warnings")
    for warning in result["warnings_found"] if params["emit_warnings"] else []:
        module.warn(warning)
    if params["fail_on_violation"] and result["violations"]:
        module.fail_json(msg=" ".join(result["violations"]), changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
