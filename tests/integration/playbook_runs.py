"""Run playbooks/upgrade.yml against the scenario's host from a test, as an operator would."""

import json
import os
import re
import signal
import subprocess

TOP = os.environ.get("MOLECULE_PROJECT_DIRECTORY", os.getcwd())
INVENTORY = os.path.dirname(os.environ.get("MOLECULE_INVENTORY_FILE", ""))
CONFIG = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", ""), "ansible.cfg")


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.output = proc.stdout + proc.stderr
        # The results as one line of text: the YAML result format folds long strings at 80 columns
        # and doubles the apostrophes of quoted ones.
        self.flat = re.sub(r"\s+", " ", self.output).replace("''", "'")
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


def start_upgrade(playbook="upgrade.yml", **extra_vars):
    """Start a playbook in the background, in a process group of its own (to kill it whole)."""
    return subprocess.Popen(
        command(extra_vars, playbook=playbook),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment(),
        start_new_session=True,
    )


def kill_controller(proc):
    """SIGKILL ansible-playbook and its workers, as a dead controller: nothing is cleaned up."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
