#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: nautobot_migrate_watch
short_description: Follow a nautobot-server migrate that runs in the background, for at most a while
version_added: 0.1.0
description:
  - Waits until the C(async) job running C(nautobot-server migrate) ends, or O(wait) seconds have passed, and
    reports how far it is, read from the log M(nautobot_ops.lifecycle.nautobot_command) writes with its O(log)
    option. Run it in a loop, each pass printing RV(msg), so that a data migration that takes an hour shows
    progress instead of a task that sits silent and looks hung.
  - Reads only; the job's result is collected with M(ansible.builtin.async_status) once RV(finished) is true.
author:
  - nautobot_ops maintainers (!UNKNOWN)
extends_documentation_fragment:
  - nautobot_ops.lifecycle.attributes
  - nautobot_ops.lifecycle.attributes.read_only
options:
  log:
    description:
      - The file the migrate command's standard output is written to as it runs.
    type: path
    required: true
  job:
    description:
      - "The async job's results file: C(results_file) of the task started with C(async) and C(poll: 0)."
    type: path
    required: true
  total:
    description:
      - How many migrations the run applies (from M(nautobot_ops.lifecycle.nautobot_migrations)), for RV(msg).
    type: int
    default: 0
  wait:
    description:
      - Seconds to wait for the job to end before reporting.
    type: int
    default: 30
"""

EXAMPLES = r"""
- name: Start the migrations in the background
  nautobot_ops.lifecycle.nautobot_command:
    venv: /opt/nautobot
    argv: [migrate, --no-input]
    log: /var/lib/nautobot-ops/migrate.log
  async: 86400
  poll: 0
  become: true
  register: migrate_job

- name: Follow them (include this file again while not finished)
  nautobot_ops.lifecycle.nautobot_migrate_watch:
    log: /var/lib/nautobot-ops/migrate.log
    job: "{{ migrate_job.results_file }}"
    total: 45
  become: true
  register: migrate_watch
"""

RETURN = r"""
finished:
  description: Whether the job has ended (successfully or not).
  returned: always
  type: bool
applied:
  description: Migrations applied so far by this run.
  returned: always
  type: int
total:
  description: O(total).
  returned: always
  type: int
running:
  description: The migration being applied now (the one that failed, once the job ended in failure), or null.
  returned: always
  type: str
msg:
  description: The progress in words, for example C(12 of 45 migrations applied, applying ipam.0057_...).
  returned: always
  type: str
"""

import json
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils.nautobot_server import parse_migrate_progress


def job_finished(path):
    """True once the async job's results file holds its result; None when there is no such file."""
    try:
        with open(path) as handle:
            data = json.load(handle)
    except (IOError, OSError):
        return None
    except ValueError:
        return False
    return not data.get("started") or bool(data.get("finished"))


def read_text(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except (IOError, OSError):
        return ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            log=dict(type="path", required=True),
            job=dict(type="path", required=True),
            total=dict(type="int", default=0),
            wait=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    params = module.params
    deadline = time.time() + max(params["wait"], 0)
    while True:
        finished = job_finished(params["job"])
        if finished or time.time() >= deadline:
            break
        time.sleep(0.5)
    if finished is None:
        module.fail_json(msg="no async job results file at %s: the migrate job is not known on this host" % params["job"])
    progress = parse_migrate_progress(read_text(params["log"]))
    applied, total = len(progress["applied"]), params["total"]
    msg = "%d%s migrations applied" % (applied, " of %d" % total if total else "")
    if progress["running"]:
        msg += ", %s %s" % ("stopped at" if finished else "applying", progress["running"])
    if finished:
        msg += "; migrate has ended"
    module.exit_json(changed=False, finished=bool(finished), applied=applied, total=total, running=progress["running"], msg=msg)


if __name__ == "__main__":
    main()
