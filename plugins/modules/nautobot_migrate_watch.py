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
  - Follows the C(async) job running C(nautobot-server migrate) until it ends, printing after every pass of up to
    O(wait) seconds how far it is (C(12 of 45 migrations applied, applying ipam.0057_...)), read from the log
    M(nautobot_ops.lifecycle.nautobot_command) writes with its O(nautobot_ops.lifecycle.nautobot_command#module:log)
    option. A data migration that takes hours shows progress instead of a task that sits silent and looks hung.
  - The printing and the repeating are done by the collection's action plugin of the same name, one module pass at a
    time (no task recursion, no retries), until the job ends or O(timeout) passes.
  - With O(journal), each pass renews the run's lease in the host's journal.
  - The job's result is collected with M(ansible.builtin.async_status) afterwards.
author:
  - nautobot_ops maintainers (!UNKNOWN)
extends_documentation_fragment:
  - nautobot_ops.lifecycle.attributes
attributes:
  check_mode:
    support: full
    details: In check mode the journal is not written.
  diff_mode:
    support: none
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
  timeout:
    description:
      - The action plugin calls the module again and again, printing RV(msg) after each pass, until the job ends;
        it gives up (failing) after this many seconds. V(0) makes a single pass.
    type: int
    default: 0
  journal:
    description:
      - The host's journal directory. When given, each pass that ends with the job still running renews the lease
        of O(run_id) (and records C(migrations_applied)), so that a long migration is never taken for a dead run.
        A journal that cannot be written is reported in RV(lease_error), never a failure (the migrations go on).
    type: path
  root:
    description:
      - NAUTOBOT_ROOT the journal is about (with O(journal)).
    type: path
  run_id:
    description:
      - The run holding the host (with O(journal)).
    type: str
  lease:
    description:
      - Seconds the lease lasts from this pass (with O(journal)).
    type: int
    default: 1800
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

- name: Follow them, progress every 30 s, until they end
  nautobot_ops.lifecycle.nautobot_migrate_watch:
    log: /var/lib/nautobot-ops/migrate.log
    job: "{{ migrate_job.results_file }}"
    total: 45
    timeout: 86460
  become: true
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
lease_error:
  description: Why the lease could not be renewed (with O(journal)); empty when it was, or was not asked for.
  returned: always
  type: str
"""

import json
import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils import nautobot_journal as nj
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


def renew_lease(params, applied):
    """Renew the run's lease in the host's journal; '' or why it could not be."""
    try:
        directory = nj.safe_directory(params["journal"], create=False)
        path = os.path.join(directory, nj.journal_name(params["root"]))
        with nj.locked(path + ".lock"):
            document = nj.read_json(path) or nj.new_document(params["root"])
            document = nj.record(document, params["run_id"], params["lease"], time.time(), {"migrations_applied": applied})
            nj.write_json(path, document)
    except (nj.JournalError, IOError, OSError) as error:
        return str(error)
    return ""


def main():
    module = AnsibleModule(
        argument_spec=dict(
            log=dict(type="path", required=True),
            job=dict(type="path", required=True),
            total=dict(type="int", default=0),
            wait=dict(type="int", default=30),
            timeout=dict(type="int", default=0),
            journal=dict(type="path"),
            root=dict(type="path"),
            run_id=dict(type="str"),
            lease=dict(type="int", default=1800),
        ),
        required_by=dict(journal=["root", "run_id"]),
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
    lease_error = ""
    if params["journal"] and not finished and not module.check_mode:
        lease_error = renew_lease(params, applied)
    module.exit_json(changed=False, finished=bool(finished), applied=applied, total=total, running=progress["running"], msg=msg,
                     lease_error=lease_error)


if __name__ == "__main__":
    main()
