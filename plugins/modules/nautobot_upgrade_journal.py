#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: nautobot_upgrade_journal
short_description: Keep the state of a Nautobot upgrade on the host, and let one run at a time work on it
version_added: 1.0.0
description:
  - Keeps one JSON document per Nautobot root in O(path), a directory only root can write, so that a run
    started after the controller died (Ctrl-C, lost SSH, a job timeout) knows where the upgrade stood.
  - The document has a C(lock) (the run working on the host, and the end of its lease) and an C(upgrade)
    (from, to, phase reached, backup, units stopped, switched or not).
  - O(state=acquire) takes the lock. A second run is refused, naming the holder and since when, while the
    holder's lease holds or an upgrade process of it (migrate, post_upgrade, a shell, pip install) still runs
    on the host. A holder whose lease ran out with nothing running is gone; the run takes over, and gets the
    upgrade it left open in RV(upgrade).
  - O(state=record) merges O(fields) into the open upgrade (opening one) and renews the lease;
    O(state=release) drops the lock, and with O(close=true) ends the upgrade with O(outcome).
  - Every write is atomic (temporary file, fsync, rename) and made under an flock. The directory and each
    of its parents must be real directories owned by root and not writable by others; a symbolic link
    anywhere on the way is refused, never followed.
author:
  - nautobot_ops.lifecycle contributors (!UNKNOWN)
extends_documentation_fragment:
  - nautobot_ops.lifecycle.attributes
attributes:
  check_mode:
    support: full
    details: O(state=acquire) reports whether the lock could be taken and the open upgrade, and writes nothing.
  diff_mode:
    support: none
options:
  path:
    description:
      - Directory of the journals, created (mode 0755, owned by root) where missing.
    type: path
    default: /var/lib/nautobot-ops
  root:
    description:
      - NAUTOBOT_ROOT of the installation the journal is about.
    type: path
    required: true
  state:
    description:
      - V(read) returns the journal; V(acquire), V(record) and V(release) as described above.
    type: str
    choices: [read, acquire, record, release]
    default: read
  run_id:
    description:
      - Identity of this run (the same for every task of one playbook run). Required except for V(read).
    type: str
  holder:
    description:
      - Who runs it, for the refusal another run gets (for example C(user@controller)).
    type: str
    default: unknown
  lease:
    description:
      - Seconds the lock holds after each write without another one. Set it above the longest step
        between two writes; the migrations renew it while they run (M(nautobot_ops.lifecycle.nautobot_migrate_watch)).
    type: int
    default: 1800
  busy_prefixes:
    description:
      - With V(acquire), where else an upgrade process of O(root) may run from, as path prefixes
        (C(/srv/releases/nautobot-) for releases built outside O(root)'s directory, C(/var/lib/nautobot-ops/)
        for a state directory elsewhere). A C(nautobot-server migrate) or C(pip install) whose command
        line holds O(root) or one of these, or whose working directory is in O(root) or starts with one,
        refuses the lock whatever its lease says. Empty items are ignored.
    type: list
    elements: str
    default: []
  phase:
    description:
      - With V(record), the phase reached; appended to the upgrade's C(phases) with the time.
    type: str
  fields:
    description:
      - With V(record), values merged into the upgrade (no secrets; the file is world-readable).
    type: dict
    default: {}
  close:
    description:
      - With V(release), the upgrade is over; it moves to C(last) with O(outcome).
    type: bool
    default: false
  outcome:
    description:
      - With O(close=true), how the upgrade ended (for example C(completed), C(rolled_back)).
    type: str
  discard_environment:
    description:
      - With V(acquire), once the lock is this run's, remove the operator's variables an earlier run left
        beside the journal (RV(environment_file)), so that no command of this run reads them. For a run given
        none; a run given some writes its own there after. Done in check mode too (the file is not the site's).
      - Not while an upgrade is open (RV(upgrade)); the run that takes it over finishes or rolls it back with
        the variables it was started with (RV(environment_kept)), to the last step of its path (O(keep_environment));
        a run given some replaces them. The first run given none after the upgrade is closed removes them. Each host
        decides by its own journal; a host of a site whose upgrade the dead run had already closed has none kept.
      - The file is the collection's, like the journal and its lease; removing it is reported in
        RV(environment_discarded), not as a change of the host.
    type: bool
    default: false
  keep_environment:
    description:
      - With O(discard_environment), keep the file with no upgrade open too; for a run that took over an upgrade
        with the variables kept for it (an earlier step of its path) and runs with them to its end.
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Take this host for the run
  nautobot_ops.lifecycle.nautobot_upgrade_journal:
    root: /opt/nautobot
    state: acquire
    run_id: "{{ __run_id }}"
    holder: "{{ lookup('ansible.builtin.env', 'USER') }}@controller"
  register: journal

- name: Record that the workers are stopped
  nautobot_ops.lifecycle.nautobot_upgrade_journal:
    root: /opt/nautobot
    state: record
    run_id: "{{ __run_id }}"
    phase: workers_stopped
    fields: {from: 3.1.0, to: 3.2.7, stopped_units: [nautobot-worker]}

- name: Done
  nautobot_ops.lifecycle.nautobot_upgrade_journal:
    root: /opt/nautobot
    state: release
    run_id: "{{ __run_id }}"
    close: true
    outcome: completed
"""

RETURN = r"""
journal:
  description: The journal's path.
  returned: always
  type: str
  sample: /var/lib/nautobot-ops/opt-nautobot.json
upgrade:
  description: The open upgrade after the call (none when no upgrade is open).
  returned: always
  type: dict
  sample: {from: 3.1.0, to: 3.2.7, phase: migrating, switched: false, backup: {path: /var/backups/nautobot/x, verified: true}}
lock:
  description: The lock after the call.
  returned: always
  type: dict
  sample: {run_id: 20261127T203000-1234, holder: ops@controller, since: 1795811400.0, lease_until: 1795813200.0}
taken_over:
  description: The lock of a run that was gone and that this run took over (O(state=acquire)), else none.
  returned: always
  type: dict
last:
  description: The last upgrade that was closed, with its C(outcome).
  returned: always
  type: dict
environment_file:
  description: Where the operator's variables for a run's commands are kept, beside the journal (root's, 0600).
  returned: always
  type: str
  sample: /var/lib/nautobot-ops/opt-nautobot.environment.json
environment_discarded:
  description: Whether O(discard_environment) removed an earlier run's variables.
  returned: O(state=acquire)
  type: bool
environment_kept:
  description:
    - Whether O(discard_environment) left the variables of the upgrade left open for this run's commands
      (the run that opened it was given some).
  returned: always
  type: bool
busy:
  description: Upgrade processes found running on the host (pid and command line).
  returned: O(state=acquire)
  type: list
  elements: str
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.nautobot_ops.lifecycle.plugins.module_utils import nautobot_journal as nj


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/var/lib/nautobot-ops"),
            root=dict(type="path", required=True),
            state=dict(type="str", choices=["read", "acquire", "record", "release"], default="read"),
            run_id=dict(type="str"),
            holder=dict(type="str", default="unknown"),
            lease=dict(type="int", default=1800),
            busy_prefixes=dict(type="list", elements="str", default=[]),
            phase=dict(type="str"),
            fields=dict(type="dict", default={}),
            close=dict(type="bool", default=False),
            outcome=dict(type="str"),
            discard_environment=dict(type="bool", default=False),
            keep_environment=dict(type="bool", default=False),
        ),
        required_if=[("state", "acquire", ["run_id"]), ("state", "record", ["run_id"]), ("state", "release", ["run_id"])],
        supports_check_mode=True,
    )
    p = module.params
    state = p["state"]
    writes = state != "read" and not module.check_mode
    try:
        directory = nj.safe_directory(p["path"], create=writes)
    except nj.JournalError as error:
        if writes or os.path.lexists(p["path"]):
            module.fail_json(msg=str(error))
        directory = None
    path = os.path.join(directory or p["path"], nj.journal_name(p["root"]))
    result = dict(changed=False, journal=path, taken_over=None, environment_file=nj.environment_file(path), environment_kept=False)
    try:
        if writes:
            with nj.locked(path + ".lock"):
                document = nj.read_json(path) or nj.new_document(p["root"])
                document, result = _change(module, document, path, result)
        else:
            document = (nj.read_json(path) if directory else None) or nj.new_document(p["root"])
            # Check mode: what acquiring would do, written nowhere.
            if state == "acquire":
                busy = nj.busy_processes(p["root"], also=p["busy_prefixes"])
                result["busy"] = busy
                document, taken = nj.acquire(document, p["run_id"], p["holder"], p["lease"], time.time(), busy)
                result["taken_over"] = taken
                result["environment_discarded"] = directory is not None and _discard_environment(p, result, document)
    except nj.JournalError as error:
        module.fail_json(msg=str(error), journal=path)
    result.update(upgrade=document.get("upgrade"), lock=document.get("lock"), last=document.get("last"))
    module.exit_json(**result)


def _change(module, document, path, result):
    p = module.params
    now = time.time()
    if p["state"] == "acquire":
        busy = nj.busy_processes(p["root"], also=p["busy_prefixes"])
        result["busy"] = busy
        document, taken = nj.acquire(document, p["run_id"], p["holder"], p["lease"], now, busy)
        result["taken_over"] = taken
        result["environment_discarded"] = _discard_environment(p, result, document)
    elif p["state"] == "record":
        document = nj.record(document, p["run_id"], p["lease"], now, p["fields"], p["phase"])
    else:
        document = nj.release(document, p["run_id"], now, p["close"], p["outcome"])
    nj.write_json(path, document)
    # The lease, the lock and the environment file are the collection's bookkeeping; opening or closing an
    # upgrade changes the host's state.
    result["changed"] = p["state"] == "record" and bool(p["phase"]) or p["close"]
    return document, result


def _discard_environment(p, result, document):
    """Remove an earlier run's environment file when asked (after the lock was granted), unless it belongs to
    the upgrade left open: whatever finishes or rolls that back must run its commands as it started them."""
    if not p["discard_environment"]:
        return False
    if document.get("upgrade") or p["keep_environment"]:
        result["environment_kept"] = os.path.isfile(result["environment_file"])
        return False
    return nj.discard_file(result["environment_file"])


if __name__ == "__main__":
    main()
