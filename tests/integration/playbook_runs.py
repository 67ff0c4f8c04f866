"""Run playbooks/upgrade.yml against the scenario's host from a test, as an operator would."""

import json
import os
import re
import subprocess

TOP = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
INVENTORY = os.path.dirname(os.environ.get("MOLECULE_INVENTORY_FILE", ""))
CONFIG = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", ""), "ansible.cfg")


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        recap = re.search(r"^\S+\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", self.output, re.M)
        self.ok, self.changed, self.unreachable, self.failed = (int(n) for n in recap.groups()) if recap else (0, 0, 0, 0)

    def __repr__(self):
        return f"rc={self.rc} changed={self.changed} failed={self.failed}\n{self.output[-3000:]}"


def command(extra_vars, *args, playbook="upgrade.yml"):
    return ["ansible-playbook", "-i", INVENTORY, os.path.join(TOP, "playbooks", playbook), "-e", json.dumps(extra_vars), *args]


def environment():
    return dict(os.environ, ANSIBLE_CONFIG=CONFIG, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")


def upgrade(*args, playbook="upgrade.yml", **extra_vars):
    """Run playbooks/<playbook> with extra vars; returns a Run (rc, changed, failed, output)."""
    proc = subprocess.run(
        command(extra_vars, *args, playbook=playbook), capture_output=True, text=True, env=environment(), timeout=1200, check=False
    )
    return Run(proc)


def start_upgrade(**extra_vars):
    """Start the upgrade playbook in the background (to kill it)."""
    return subprocess.Popen(command(extra_vars), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment())
