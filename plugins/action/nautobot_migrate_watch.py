# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of nautobot_migrate_watch: run the module pass after pass, printing each pass's
progress on the controller, until the migrate job ends or ``timeout`` seconds have passed.
One task whatever the migration's length: no include recursion (which exhausts Python's stack
after a few hundred passes), no ``until`` retries (which print only "FAILED - RETRYING")."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()
MODULE = "nautobot_ops.lifecycle.nautobot_migrate_watch"


def elapsed(seconds):
    minutes, seconds = divmod(int(seconds), 60)
    return "%dm%02ds" % (minutes, seconds) if minutes else "%ds" % seconds


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        timeout = int(args.get("timeout") or 0)
        host = (task_vars or {}).get("inventory_hostname", "?")
        started = time.time()
        while True:
            step = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
            if step.get("failed"):
                result.update(step)
                return result
            waited = time.time() - started
            display.display("[%s] %s (%s)%s" % (host, step.get("msg"), elapsed(waited),
                                                "; lease not renewed: " + step["lease_error"] if step.get("lease_error") else ""))
            if step.get("finished") or not timeout:
                result.update(step)
                return result
            if waited > timeout:
                result.update(step, failed=True, msg="the migrations did not end within %d s: %s" % (timeout, step.get("msg")))
                return result
