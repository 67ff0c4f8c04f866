"""Each bad input is refused before anything on the host changes."""

import json
import os
import subprocess

import pytest
from nautobot_host import JOURNAL, ROOT, fingerprint, health_status, installed_version
from playbook_runs import TOP, command, environment, upgrade

FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
SDIST = f"{TOP}/.build/sdist/nautobot-{TARGET}.tar.gz"
# Every file of the installation and the backups (compiled bytecode aside), one per line so a failure
# names it: its size, modification time, mode and owners, and the sha256 of its content; the venv's
# installed packages (15,000 files, most of the hashing) by their metadata alone.
PRUNED = f"find {ROOT} /var/backups -path '*/__pycache__' -prune -o"
TREE = (
    f"{PRUNED} -type f -printf '%p %s %T@ %m %U:%G\\n' 2>/dev/null | sort"
    f" && {PRUNED} -path '*/site-packages' -prune -o -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum"
)

CASES = {
    "invalid version": ({"upgrade_version": "3.x"}, "'3.x' is not a valid Nautobot version"),
    "empty version": ({"upgrade_version": ""}, "upgrade_version is required"),
    "downgrade without opt-in": ({"upgrade_version": "3.0.11"}, "downgrade"),
    "version not in the wheelhouse": ({"upgrade_version": "3.2.99"}, "nautobot==3.2.99 is not in the wheelhouse"),
    "major release the collection does not know": ({"upgrade_version": "5.0.0"}, "upgrade_allow_unknown_release: true"),
    "next release whose package needs a newer Python (read from the index)": (
        {"upgrade_version": "3.3.0", "upgrade_wheelhouse": "", "upgrade_pip_find_links": ["/srv/next-index"], "upgrade_pip_extra_args": ["--no-index"]},
        "is not supported by Nautobot 3.3.0, which needs Python >= 3.12, < 3.15",
    ),
    "requirements not met (Python)": ({"upgrade_version": "1.0.0", "upgrade_allow_downgrade": True}, "Python"),
    "unknown source": ({"upgrade_source": "ftp"}, "upgrade_source"),
    "archive without checksum": ({"upgrade_source": "archive", "upgrade_archive_src": SDIST}, "upgrade_archive_checksum is required"),
    "git branch without opt-in": (
        {"upgrade_source": "git", "upgrade_git_repo": "/srv/branchy.git", "upgrade_git_ref": "develop"},
        "is a branch",
    ),
    "upgrade_path that goes down": ({"upgrade_version": "", "upgrade_path": ["3.2.7", "3.2.0"]}, "upgrade_path 3.2.7 -> 3.2.0 refused"),
    "upgrade_path not ending at upgrade_version": ({"upgrade_path": ["3.2.5"]}, "does not end at upgrade_version 3.2.7"),
    "apps for another release only": (
        {"upgrade_local_requirements": {"3.1": ["django-storages"]}},
        "upgrade_local_requirements has no entry for Nautobot 3.2.7 (its keys: 3.1)",
    ),
    "app requirement of two lines": (
        {"upgrade_local_requirements": ["django-storages\n--index-url=http://pypi.invalid/simple"]},
        "a requirement is one line",
    ),
    "root that is not a Nautobot install": ({"upgrade_root": "/srv"}, "/srv is not a Nautobot installation"),
    "unit that does not exist": (
        {"upgrade_services": ["nautobot", "nautobot-wrker"], "upgrade_worker_services": []},
        "nautobot-wrker not found on the host",
    ),
}


@pytest.fixture(scope="module")
def tree_before(host):
    return tree(host)


def tree(host):
    """The files as lines, for a diff that names what changed."""
    return host.check_output(TREE).splitlines()


def assert_unchanged(host, before):
    after = tree(host)
    # The message's first line names the lines that differ (CI shows that line alone).
    assert after == before, f"files changed: {sorted(set(after) ^ set(before))[:6]}"


@pytest.mark.parametrize("case", CASES)
def test_refused_with_nothing_changed(host, tree_before, case):
    extra_vars, message = CASES[case]
    run = upgrade(**extra_vars)
    assert run.rc != 0, run
    assert run.failed == 1 and run.changed == 0, run
    assert message in run.output, run
    assert_unchanged(host, tree_before)


# Partial runs: the phases depend on each other; only the plan (--tags upgrade_preflight) is allowed.
TAG_CASES = {
    "--skip-tags upgrade_backup": ("without the backup a failed migration has nothing to restore", "upgrade_backup: false"),
    "--tags upgrade_verify": ("--tags upgrade_verify would run part of the upgrade", "--tags upgrade_preflight alone"),
}


@pytest.mark.parametrize("case", TAG_CASES)
def test_partial_run_by_tags_refused(host, tree_before, case):
    run = upgrade(*case.split())
    assert run.rc != 0 and run.failed == 1 and run.changed == 0, run
    assert all(text in run.output for text in TAG_CASES[case]), run
    assert_unchanged(host, tree_before)


def test_phase_tags_listed():
    listed = subprocess.run(command({}, "--list-tags"), capture_output=True, text=True, env=environment(), check=True).stdout
    for tag in ("upgrade_preflight", "upgrade_backup", "upgrade_migrate", "upgrade_switch", "upgrade_verify", "upgrade_rollback"):
        assert tag in listed, listed


def test_plan_only_by_tags_changes_nothing_and_frees_the_host(host, tree_before):
    run = upgrade("--tags", "upgrade_preflight")
    assert run.rc == 0 and run.changed == 0, run
    assert f"Nautobot {FIXTURE} -> {TARGET}" in run.output and "release notes to read" in run.output, run
    assert_unchanged(host, tree_before)
    assert json.loads(host.file(JOURNAL).content_string)["lock"] is None


def test_work_directory_replaced_by_a_link_is_refused(host, tree_before):
    # The nautobot user (whose Jobs run arbitrary code) can write the root: a link where the
    # work directory would be made must not lead root's tasks into another directory.
    host.check_output("install -d -m 0755 -o root -g root /etc/nautobot-ops-bait")
    host.check_output(f"sudo -u nautobot ln -s /etc/nautobot-ops-bait {ROOT}/.nautobot-ops")
    try:
        run = upgrade()
        assert run.rc != 0 and run.changed == 0, run
        assert f"the work directory {ROOT}/.nautobot-ops is a symbolic link" in run.output, run
        bait = host.file("/etc/nautobot-ops-bait")
        assert bait.user == "root" and bait.mode == 0o755
        assert host.check_output("ls -A /etc/nautobot-ops-bait") == ""
        assert_unchanged(host, tree_before)
    finally:
        host.run(f"rm -f {ROOT}/.nautobot-ops && rmdir /etc/nautobot-ops-bait")


def test_backup_filesystem_too_small_is_refused(host, tree_before):
    host.check_output("install -d -m 0700 /var/backups/nautobot && mount -t tmpfs -o size=1m nautobot-ops-test /var/backups/nautobot")
    try:
        run = upgrade()
        assert run.rc != 0 and run.changed == 0, run
        assert "MiB free for the backup in /var/backups/nautobot" in run.output, run
        assert_unchanged(host, tree_before)
    finally:
        host.run("umount /var/backups/nautobot; rmdir /var/backups/nautobot")


def test_host_as_before(host):
    assert installed_version(host) == FIXTURE
    assert health_status(host) == 200
    assert not host.file(f"{ROOT}/.nautobot-ops").exists
    assert not host.file("/var/backups/nautobot").exists


def test_data_as_before(host):
    before = json.loads(host.file("/var/lib/nautobot-ops-test/before.json").content_string)
    assert fingerprint(host) == before["fingerprint"]
