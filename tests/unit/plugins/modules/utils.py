# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running a module's ``main()`` in a unit test, as community.general's ``tests/unit/plugins/modules/utils.py`` does.

    from ansible_collections.nautobot_ops.lifecycle.tests.unit.plugins.modules.utils import run_module

    failed, result = run_module(nautobot_migrations.main, {"root": "/opt/nautobot"})

Patch what the module calls (``AnsibleModule.run_command`` for example) around it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import json

from unittest.mock import patch

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


class AnsibleExitJson(Exception):
    """Raised instead of exit_json; ``args[0]`` is the result."""


class AnsibleFailJson(Exception):
    """Raised instead of fail_json; ``args[0]`` is the result."""


def exit_json(*args, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(kwargs)


def fail_json(*args, **kwargs):
    kwargs["failed"] = True
    raise AnsibleFailJson(kwargs)


@contextlib.contextmanager
def set_module_args(args):
    """Hand ``args`` to the AnsibleModule made inside: ansible-core 2.19+ has patch_module_args,
    older releases read the serialised ``basic._ANSIBLE_ARGS``."""
    args = dict(args)
    args.setdefault("_ansible_remote_tmp", "/tmp")
    args.setdefault("_ansible_keep_remote_files", False)
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:
        serialized = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        with patch.object(basic, "_ANSIBLE_ARGS", serialized):
            yield
    else:
        with patch_module_args(args):
            yield


@contextlib.contextmanager
def patch_exits():
    """exit_json and fail_json raise AnsibleExitJson and AnsibleFailJson instead of ending the process."""
    with patch.multiple(basic.AnsibleModule, exit_json=exit_json, fail_json=fail_json):
        yield


def run_module(main, args):
    """Run a module's ``main`` with ``args``; return (failed, result)."""
    with set_module_args(args), patch_exits():
        try:
            main()
        except AnsibleExitJson as exit_:
            return False, exit_.args[0]
        except AnsibleFailJson as fail:
            return True, fail.args[0]
    raise AssertionError("the module neither exited nor failed")
