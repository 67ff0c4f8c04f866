"""The execution environment, built from execution-environment.yml, run as AWX runs it: ansible-runner
inside the image, a project holding playbooks/upgrade.yml, an inventory and a machine key, against
this host over ssh, in check mode. The collection comes from the image, not from this checkout."""

import json
import os
import shutil
import subprocess

import pytest
import yaml
from nautobot_host import JOURNAL, fingerprint, health_status, installed_version
from playbook_runs import TOP

FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
WHEELHOUSE = f"{TOP}/.build/wheelhouse/debian12"
CONTAINER = "nautobot-ee"
# The site's files, as molecule/default/prepare.yml recorded them.
SITE_FILES = "find jobs media uwsgi.ini nautobot_config.py local_requirements.txt -type f | sort | xargs sha256sum"


@pytest.fixture(scope="module")
def before(host):
    return json.loads(host.file("/var/lib/nautobot-ops-test/before.json").content_string)


@pytest.fixture(scope="module")
def image():
    built = subprocess.run(["bash", f"{TOP}/testbed/ee-image.sh"], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr[-3000:]
    return built.stdout.strip().splitlines()[-1]


def in_image(image, *argv, volumes=()):
    mounts = [arg for volume in volumes for arg in ("-v", volume)]
    return subprocess.run(["docker", "run", "--rm", *mounts, image, *argv], capture_output=True, text=True, timeout=1200, check=False)


def test_image_holds_the_collection_galaxy_yml_declares(image):
    version = yaml.safe_load(open(f"{TOP}/galaxy.yml"))["version"]
    listed = in_image(image, "ansible-galaxy", "collection", "list", "nautobot_ops.lifecycle")
    assert listed.returncode == 0, listed.stderr
    assert f"nautobot_ops.lifecycle {version}" in " ".join(listed.stdout.split())
    assert in_image(image, "ansible-runner", "--version").returncode == 0


def test_ansible_runner_in_the_image_plans_the_upgrade_and_changes_nothing(host, image, before, tmp_path):
    address = subprocess.run(
        ["docker", "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", CONTAINER],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    # ansible-runner's private data directory, as AWX lays it out for a job.
    data = tmp_path / "runner"
    (data / "project").mkdir(parents=True)
    (data / "inventory").mkdir()
    (data / "env").mkdir()
    shutil.copy(f"{TOP}/playbooks/upgrade.yml", data / "project" / "upgrade.yml")
    (data / "inventory" / "hosts.yml").write_text(yaml.safe_dump({"nautobot": {"hosts": {CONTAINER: {
        "ansible_host": address, "ansible_user": "root", "ansible_python_interpreter": "/usr/bin/python3",
        "ansible_ssh_common_args": "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null",
    }}}}))
    (data / "env" / "extravars").write_text(yaml.safe_dump({"upgrade_version": TARGET, "upgrade_wheelhouse": "/wheelhouse"}))
    (data / "env" / "ssh_key").write_text(host.file("/root/.ssh/ee_key").content_string)
    # The image runs as uid 1000, as in AWX: the job's directory is theirs to write artifacts in.
    subprocess.run(["chmod", "-R", "a+rwX", str(tmp_path)], check=True)

    run = in_image(image, "ansible-runner", "run", "/runner", "-p", "upgrade.yml", "--cmdline=--check",
                   volumes=[f"{data}:/runner", f"{WHEELHOUSE}:/wheelhouse:ro"])
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:]
    flat = " ".join(output.split())
    assert f"Nautobot {FIXTURE} -> {TARGET} (upgrade), venv layout at /opt/nautobot" in flat, output[-4000:]
    assert "source: pypi (wheelhouse /wheelhouse)" in flat
    status = next((data / "artifacts").glob("*/status")).read_text()
    assert status == "successful"

    # Check mode: the plan only. The old release serves, every row in place, no upgrade opened.
    assert installed_version(host) == FIXTURE
    assert health_status(host) == 200
    assert fingerprint(host) == before["fingerprint"]
    journal = host.file(JOURNAL)
    assert not journal.exists or json.loads(journal.content_string).get("upgrade") is None
    assert host.check_output(f"cd /opt/nautobot && {SITE_FILES}").splitlines() == before["files"]
