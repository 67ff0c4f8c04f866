"""Fault injection on a real host. Tests run in file order and share the host: each injects a
fault, runs the upgrade, checks the old release serves with every row in place, and removes
the fault; the last runs the upgrade clean, which must complete."""

import base64
import json
import os
import re
import time

import pytest
from nautobot_host import JOURNAL, ROOT, UNITS, fingerprint, health_status, installed_version, site_state
from playbook_runs import TOP, kill_controller, start_upgrade, upgrade

TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
SDIST = f"{TOP}/.build/sdist/nautobot-{TARGET}.tar.gz"
KILLED_RUN_LEASE = 15
PSQL = "sudo -u nautobot env PGPASSWORD=fixture-db-password psql -h localhost -d nautobot -v ON_ERROR_STOP=1 -c"
# As a DBA would: the superuser owns it, so the nautobot user can neither drop nor re-create it.
SUPERUSER_EXTENSION = "sudo -u postgres psql -d nautobot -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'"
EXTENSION_OWNER = (
    "sudo -u postgres psql -d nautobot -tAc"
    " \"SELECT pg_get_userbyid(extowner) FROM pg_extension WHERE extname = 'pg_stat_statements'\""
)


@pytest.fixture(scope="module")
def before(host):
    return json.loads(host.file("/var/lib/nautobot-ops-test/before.json").content_string)


# Another Nautobot root of the same host shares the backup directory, and took a backup of the same
# upgrade: its directory looks older than every backup of ours, its manifest newer. Pruning must never
# count or remove it, and a rollback of /opt/nautobot must never restore it (its dump is not one).
OTHER_ROOT_BACKUP = f"/var/backups/nautobot/nautobot-{FIXTURE}-to-{TARGET}-20000101T000000Z"


@pytest.fixture(scope="module", autouse=True)
def another_roots_backup(host):
    manifest = json.dumps({"from": FIXTURE, "to": TARGET, "root": "/srv/nautobot-lab", "database": OTHER_ROOT_BACKUP + "/database.dump"})
    host.check_output(
        f"install -d -o nautobot -g nautobot -m 0700 /var/backups/nautobot {OTHER_ROOT_BACKUP}"
        f" && echo 'not a dump of /opt/nautobot' > {OTHER_ROOT_BACKUP}/database.dump"
        f" && echo '{manifest}' > {OTHER_ROOT_BACKUP}/manifest.json"
        f" && touch -d '+1 day' {OTHER_ROOT_BACKUP}/manifest.json && touch -d 2000-01-01 {OTHER_ROOT_BACKUP}"
    )
    return host.check_output(f"sha256sum {OTHER_ROOT_BACKUP}/*")


def write_file(host, path, content):
    """Write a file on the host byte for byte (no shell quoting in the way)."""
    encoded = base64.b64encode(content.encode()).decode()
    host.check_output(f"mkdir -p {os.path.dirname(path)} && echo {encoded} | base64 -d > {path}")


def add_to_config(host, code):
    """Append Python to the site's nautobot_config.py, keeping the original for restore_config()."""
    config = f"{ROOT}/nautobot_config.py"
    host.check_output(f"cp -a {config} /root/nautobot_config.py.orig")
    write_file(host, config, host.file(config).content_string + code)


def restore_config(host):
    host.run(f"cp -a /root/nautobot_config.py.orig {ROOT}/nautobot_config.py && rm -f /root/nautobot_config.py.orig")


def assert_old_release_serves(host, before):
    assert installed_version(host) == FIXTURE
    assert health_status(host) == 200
    state = site_state(host)
    assert state["fingerprint"] == before["fingerprint"]
    assert not state["pending"], "the database is not the old release's: migrations not applied: " + ", ".join(state["pending"])


def test_git_source_unreachable(host, before):
    run = upgrade(upgrade_source="git", upgrade_git_repo="/srv/no-such-repository.git")
    assert run.rc != 0 and run.changed == 0, run
    assert "cannot be read" in run.output
    assert_old_release_serves(host, before)


def test_archive_url_unreachable(host, before):
    checksum = open(f"{SDIST}.checksum").read().strip()
    run = upgrade(upgrade_source="archive", upgrade_archive_url="http://127.0.0.1:9/nautobot.tar.gz", upgrade_archive_checksum=checksum)
    assert run.rc != 0 and run.changed == 0, run
    assert "cannot be fetched" in run.output
    assert_old_release_serves(host, before)


def test_archive_checksum_mismatch(host, before):
    run = upgrade(upgrade_source="archive", upgrade_archive_src=SDIST, upgrade_archive_checksum="sha256:" + "0" * 64)
    assert run.rc != 0, run
    assert "checksum" in run.output and "refused" in run.output
    assert_old_release_serves(host, before)


def test_pip_failure(host, before):
    requirements = f"{ROOT}/local_requirements.txt"
    host.run(f"cp -a {requirements} /root/local_requirements.txt.orig && echo nautobot-ops-no-such-package==9.9.9 >> {requirements}")
    try:
        run = upgrade()
    finally:
        host.run(f"cp -a /root/local_requirements.txt.orig {requirements}")
    assert run.rc != 0, run
    assert "nautobot-ops-no-such-package" in run.output
    assert_old_release_serves(host, before)


# Run on the host as root: once the upgrade is migrating, the backup's dump is moved away
# ("gone": a cleanup job) or cut to 300 bytes with a copy kept ("truncated": a full disk).
DAMAGE_DUMP_WHEN_MIGRATING = """
import json, os, shutil, sys, time
deadline = time.time() + 1200
while time.time() < deadline:
    try:
        upgrade = json.load(open("/var/lib/nautobot-ops/opt-nautobot.json")).get("upgrade") or {}
    except (OSError, ValueError):
        upgrade = {}
    if upgrade.get("phase") == "migrating":
        dump = upgrade["backup"]["path"] + "/database.dump"
        if sys.argv[1] == "gone":
            shutil.move(dump, "/root/moved.dump")
        else:
            shutil.copy2(dump, "/root/moved.dump")
            info = os.stat(dump)
            os.chown("/root/moved.dump", info.st_uid, info.st_gid)
            os.truncate(dump, 300)
        print(upgrade["backup"]["path"])
        break
    time.sleep(0.1)
"""


def test_new_release_failing_django_checks_is_refused_before_anything_stops(host, before):
    # A setting (as an app or a site's configuration brings) that only the new release rejects in
    # Django's system checks: migrate would raise it after the workers stopped and the backup ran.
    # Refused in the install, while the old release serves, naming the error; nothing stopped.
    config = f"{ROOT}/nautobot_config.py"
    host.check_output(f"cp -a {config} /root/nautobot_config.py.orig")
    fault = (
        "\nimport importlib.metadata as _fault_metadata\n"
        f"if _fault_metadata.version('nautobot') == '{TARGET}':\n"
        "    STATICFILES_DIRS = (*STATICFILES_DIRS, STATIC_ROOT)\n"
    )
    write_file(host, "/root/fault.py", fault)
    host.check_output(f"cat /root/fault.py >> {config}")
    try:
        started = {unit: host.service(unit).is_running for unit in UNITS}
        run = upgrade()
        assert run.rc != 0 and "Check the new code against the database" in run.output, run
        assert "Django's system checks failed: ?: (staticfiles.E002) The STATICFILES_DIRS setting" in run.output, run
        assert "Stop the workers" not in run.output, "the upgrade got past the install"
        assert {unit: host.service(unit).is_running for unit in UNITS} == started
        assert json.loads(host.file(JOURNAL).content_string)["upgrade"] is None
    finally:
        host.check_output(f"cp -a /root/nautobot_config.py.orig {config} && rm -f /root/nautobot_config.py.orig /root/fault.py")
    assert_old_release_serves(host, before)


def test_migration_fails_without_a_backup_then_the_operator_restores_their_own(host, before):
    # upgrade_backup: false (a site with backups of its own): a failed migration cannot be undone
    # by the collection. The site stays on the old code with every unit running, the play says the
    # database needs the operator's backup, and only the operator's word closes the rollback.
    own_dump = "/tmp/operators-own.dump"
    host.check_output(f"sudo -u nautobot env PGPASSWORD=fixture-db-password pg_dump -h localhost -d nautobot -Fc -f {own_dump}")
    host.check_output(f"{PSQL} 'CREATE TABLE ipam_ipaddressrange (id integer)'")
    try:
        run = upgrade(upgrade_backup=False)
        assert run.rc != 0, run
        assert "Apply the new release's migrations" in run.output, run
        assert "No backup was taken (upgrade_backup is false)" in run.output and "needs your own backup" in run.output, run
        assert installed_version(host) == FIXTURE and health_status(host) == 200
        assert all(host.service(unit).is_running for unit in UNITS), "a unit the failed upgrade stopped was left stopped"
        assert json.loads(host.file(JOURNAL).content_string)["upgrade"]["phase"] == "rollback_unrestored"
        refused = upgrade(upgrade_backup=False)
        assert refused.rc != 0 and refused.changed == 0, refused
        assert "restore the database from your own backup" in refused.output, refused
    finally:
        host.check_output(f"{PSQL} 'DROP TABLE IF EXISTS ipam_ipaddressrange'")
    # The operator's restore: the database as it was before the run.
    host.check_output("sudo -u postgres psql -v ON_ERROR_STOP=1 -c 'DROP DATABASE nautobot WITH (FORCE)' -c 'CREATE DATABASE nautobot OWNER nautobot'")
    host.run(f"sudo -u nautobot env PGPASSWORD=fixture-db-password pg_restore -h localhost -d nautobot --no-owner {own_dump}")
    host.check_output(f"rm -f {own_dump}")
    closed = upgrade(upgrade_backup=False, upgrade_rollback_accept_data_loss=True)
    assert "Rolled back: Nautobot " + FIXTURE in closed.output, closed
    assert_old_release_serves(host, before)
    assert json.loads(host.file(JOURNAL).content_string)["upgrade"] is None


def test_migration_fails_midway_with_the_dump_damaged(host, before):
    # A table in the way of a CreateModel the target brings (ipam.0057): the earlier new
    # migrations apply, then migrate fails. Meanwhile the backup's dump is cut short (a full disk):
    # the automatic rollback must refuse to restore before it drops anything, and start again what
    # it stopped; the site goes on serving. Then the dump is gone (a cleanup job) when the
    # operator finishes the rollback: refused the same way. From here on the database also holds
    # an extension the superuser created: every restore below (this one's, once the dump is back,
    # and the later rollbacks') must work around it and leave it as it is.
    host.check_output(SUPERUSER_EXTENSION)
    host.check_output(f"{PSQL} 'CREATE TABLE ipam_ipaddressrange (id integer)'")
    write_file(host, "/root/move_dump.py", DAMAGE_DUMP_WHEN_MIGRATING)
    host.check_output("rm -f /root/moved.dump /root/move_dump.out; nohup python3 /root/move_dump.py truncated > /root/move_dump.out 2>&1 &")

    def refused_before_dropping(run, reason):
        assert run.rc != 0, run
        assert "ROLLBACK INCOMPLETE" in run.output and "NOT restored" in run.output and "Nothing was dropped" in run.output, run
        assert re.search(r"database\.dump " + reason, run.flat), run
        assert installed_version(host) == FIXTURE
        assert all(host.service(unit).is_running for unit in UNITS), "a unit the rollback stopped was left stopped"
        assert health_status(host) == 200
        assert fingerprint(host) == before["fingerprint"]
        state = json.loads(host.file(JOURNAL).content_string)
        assert state["lock"] is None and state["upgrade"]["phase"] == "rollback_unrestored", state

    try:
        run = upgrade()
        backup = host.check_output("cat /root/move_dump.out").strip()
        assert backup and host.file("/root/moved.dump").exists, "the dump was never damaged"
        assert "Apply the new release's migrations" in run.output, run
        refused_before_dropping(run, "is (corrupt|unreadable)")

        # The site ran on since: finishing the rollback needs the operator's word.
        refused = upgrade()
        assert refused.rc != 0 and refused.changed == 0 and "upgrade_rollback_accept_data_loss=true" in refused.output, refused
        # Given, with the dump gone meanwhile: refused before anything is dropped.
        host.check_output(f"rm {backup}/database.dump")
        refused_before_dropping(upgrade(upgrade_rollback_accept_data_loss=True), "does not exist")

        # The dump is back: the rollback restores it.
        host.check_output(f"mv /root/moved.dump {backup}/database.dump")
        rerun = upgrade(upgrade_rollback_accept_data_loss=True)
        assert rerun.rc != 0, rerun
        assert "Rolled back" in rerun.output and "database was restored" in rerun.output, rerun
        assert host.check_output(EXTENSION_OWNER) == "postgres"
    finally:
        host.check_output(f"{PSQL} 'DROP TABLE IF EXISTS ipam_ipaddressrange'")
    assert_old_release_serves(host, before)
    assert json.loads(host.file(JOURNAL).content_string)["upgrade"] is None


def test_unit_fails_to_start_after_switch(host, before):
    # The web unit refuses to start on the target release (as with an incompatible plugin).
    dropin = "/etc/systemd/system/nautobot.service.d/fault.conf"
    refuse = f"import importlib.metadata as m, sys; sys.exit(m.version('nautobot') == '{TARGET}')"
    write_file(host, dropin, f'[Service]\nExecStartPre={ROOT}/bin/python -c "{refuse}"\n')
    host.check_output("systemctl daemon-reload && systemctl restart nautobot")  # the old release starts with it
    try:
        run = upgrade()
    finally:
        host.run(f"rm -f {dropin} && systemctl daemon-reload")
    assert run.rc != 0, run
    assert "Start the web unit" in run.output and "Rolled back" in run.output
    assert_old_release_serves(host, before)


def test_worker_dies_seconds_after_it_started(host, before):
    # The worker starts on the target release and dies 4 s later (as with an app that breaks it in
    # its first seconds); systemd restarts it 1 s after, so it is active again by the time verify
    # looks. Verify sees it was restarted since the switch, and the upgrade rolls back.
    mark, dropin = "/run/fault/worker-killed", "/etc/systemd/system/nautobot-worker.service.d/fault.conf"
    add_to_config(
        host,
        "import importlib.metadata as _m, os as _o, sys as _s, threading as _t\n"
        f"if _m.version('nautobot') == '{TARGET}' and _s.argv[1:3] == ['celery', 'worker'] and not _o.path.exists('{mark}'):\n"
        f"    open('{mark}', 'w').close()\n"
        "    _t.Timer(4, _o._exit, (1,)).start()\n",
    )
    write_file(host, dropin, "[Service]\nRestartSec=1\n")
    host.check_output("install -d -o nautobot -g nautobot /run/fault && systemctl daemon-reload")
    try:
        run = upgrade()
    finally:
        restore_config(host)
        host.run(f"rm -f {dropin} && systemctl daemon-reload")
    assert host.file(mark).exists, "the fault never fired"
    assert run.rc != 0, run
    assert "Rolled back" in run.output, run
    # Seen restarted (active again, another main PID), or seen in the second systemd waits before it.
    assert "systemd restarted it" in run.output or "activating" in run.output, run
    assert_old_release_serves(host, before)
    assert all(host.service(unit).is_running for unit in UNITS)


def test_killed_during_install_then_rerun(host, before):
    # A short lease: the next test's run takes over from this dead one without waiting 30 min.
    proc = start_upgrade(upgrade_lock_lease=KILLED_RUN_LEASE)
    try:
        for _ in range(240):
            if host.run("pgrep -f '[b]in/pip install'").rc == 0:  # [b]: not pgrep's own shell
                break
            time.sleep(0.5)
        else:
            pytest.fail("pip install never started")
    finally:
        kill_controller(proc)
    # What the controller started may go on on the host (as with ssh): end it, as an operator would.
    host.run("pkill -f '[b]in/pip install'")
    assert_old_release_serves(host, before)
    time.sleep(KILLED_RUN_LEASE + 1)


def test_health_check_fails(host, before):
    # The target's web server gets a cache it cannot reach: units run, /health/ answers 500.
    add_to_config(
        host,
        "import importlib.metadata as _m, sys as _s\n"
        f"if _m.version('nautobot') == '{TARGET}' and (_s.argv[1:2] == ['start'] or 'uwsgi' in _s.modules):\n"
        "    CACHES['default']['LOCATION'] = 'redis://127.0.0.1:6399/1'\n",
    )
    try:
        run = upgrade(upgrade_health_timeout=30)
    finally:
        restore_config(host)
    assert run.rc != 0, run
    assert "Wait for" in run.output and "Rolled back" in run.output
    assert_old_release_serves(host, before)


# Nautobot's own apps in 3.x, as their migrations are labelled.
NAUTOBOT_APPS = {"circuits", "cloud", "data_validation", "dcim", "extras", "ipam", "load_balancers", "tenancy", "users",
                 "virtualization", "vpn", "wireless"}


# The site's file, and where verify keeps it once upgrade_local_requirements replaces it (venv layout).
REQUIREMENTS = f"{ROOT}/local_requirements.txt"
KEPT_REQUIREMENTS = f"{ROOT}/.nautobot-ops/local_requirements-{FIXTURE}.txt"


def test_clean_rerun_completes_without_printing_secrets(host, before):
    # With the site's apps given as upgrade_local_requirements (the same list): verify keeps the
    # site's file and writes the root's from the list; test_rollback_on_demand puts the site's back.
    site_requirements = host.file(REQUIREMENTS).content_string
    run = upgrade("-vvv", upgrade_local_requirements=["django-storages"])
    assert run.rc == 0, run
    assert host.file(KEPT_REQUIREMENTS).content_string == site_requirements
    written = host.file(REQUIREMENTS).content_string.splitlines()
    assert written == [f"# Written by nautobot_ops.lifecycle for Nautobot {TARGET} (upgrade_local_requirements).", "django-storages"]
    assert installed_version(host) == TARGET
    assert health_status(host) == 200
    assert fingerprint(host) == before["fingerprint"]
    config = host.file(f"{ROOT}/nautobot_config.py").content_string
    secret_key = re.search(r'^SECRET_KEY = os.getenv\("NAUTOBOT_SECRET_KEY", "([^"]+)"\)', config, re.M).group(1)
    for secret in ("fixture-db-password", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", secret_key):
        assert secret not in run.output
    # The plan's count, read from the target's wheel before anything was built, is the number of
    # Nautobot's own migrations the built release then found pending (its libraries' are not in it).
    planned = re.search(r"migrations: (\d+) of Nautobot \S+ own to apply", run.flat)
    pending = re.search(r"msg: '?\d+ pending: ([\w., ]*)", run.flat)
    assert planned and pending, "the plan or the install's pending list is missing from the output"
    own = [name for name in pending.group(1).rstrip(", ").split(", ") if name.split(".")[0] in NAUTOBOT_APPS]
    assert own and int(planned.group(1)) == len(own), (planned.group(0), own)


def test_backups_private_and_pruned(host, another_roots_backup):
    backups = host.check_output("ls -1d /var/backups/nautobot/nautobot-*").split()
    # The other root's backup is neither counted nor removed, and is left as it was.
    assert OTHER_ROOT_BACKUP in backups and host.check_output(f"sha256sum {OTHER_ROOT_BACKUP}/*") == another_roots_backup
    backups.remove(OTHER_ROOT_BACKUP)
    assert len(backups) == 3  # upgrade_backup_keep, after the four attempts that reached the backup
    assert host.file("/var/backups/nautobot").mode == 0o700
    for path in backups:
        assert host.file(path).mode == 0o700
        for name in ("database.dump", "media-jobs.tar.gz", "manifest.json"):
            f = host.file(f"{path}/{name}")
            assert f.exists and f.mode == 0o600 and f.user == "nautobot"


def test_rollback_on_demand_refused_without_accepting_data_loss(host):
    run = upgrade(playbook="rollback.yml")
    assert run.rc != 0 and run.changed == 0, run
    assert "upgrade_rollback_accept_data_loss" in run.output
    assert installed_version(host) == TARGET


@pytest.mark.parametrize("damage", ["truncate --size 300 {dump}", "rm {dump}"], ids=["truncated", "missing"])
def test_rollback_on_demand_refused_with_a_damaged_dump(host, before, damage):
    # As seen on a host: the dump of the backup to restore cut to 300 bytes, or gone. The rollback
    # must refuse before it stops or switches anything, so the target keeps serving untouched.
    dump = host.check_output(f"ls -1dt /var/backups/nautobot/nautobot-{FIXTURE}-to-{TARGET}-* | head -1").strip() + "/database.dump"
    count_tables = f"{PSQL} \"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'\" --tuples-only --no-align"
    tables = int(host.check_output(count_tables))
    host.check_output(f"cp -a {dump} /root/database.dump.orig && " + damage.format(dump=dump))
    try:
        run = upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True)
        assert run.rc != 0 and run.changed == 0, run
        assert re.search(r"database\.dump (is (corrupt|unreadable)|does not exist)", run.output), run
        assert installed_version(host) == TARGET
        assert health_status(host) == 200
        assert fingerprint(host) == before["fingerprint"]
        assert all(host.service(unit).is_running for unit in UNITS)
        assert int(host.check_output(count_tables)) == tables
    finally:
        host.check_output(f"cp -a /root/database.dump.orig {dump} && rm -f /root/database.dump.orig")


def test_rollback_on_demand(host, before):
    run = upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True)
    assert run.rc == 0, run
    assert f"Rolled back /opt/nautobot from Nautobot {TARGET} to {FIXTURE}" in run.output
    # The site's own local_requirements.txt is back with its release, as the nautobot user's.
    assert host.file(REQUIREMENTS).content_string == host.file(KEPT_REQUIREMENTS).content_string
    assert host.file(REQUIREMENTS).user == "nautobot"
    assert OTHER_ROOT_BACKUP not in run.flat, "another root's backup was chosen"
    assert_old_release_serves(host, before)
    assert host.check_output(EXTENSION_OWNER) == "postgres"
