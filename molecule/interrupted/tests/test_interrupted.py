"""A controller that dies, and a second run while one runs, on a real host. Tests run in file
order and share the host. The runs that get killed use a short lock lease (LEASE s): a real
one would make the next run wait that long for a holder that is gone."""

import json
import os
import re
import time

import pytest
from nautobot_host import HISTORY, JOURNAL, OPERATOR_FILE, ROOT, UNITS, as_nautobot, health_status, installed_version, site_state
from playbook_runs import kill_controller, start_upgrade, upgrade

TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
LEASE = 20


@pytest.fixture(scope="module")
def before(host):
    return json.loads(host.file("/var/lib/nautobot-ops-test/before.json").content_string)


def journal(host):
    f = host.file(JOURNAL)
    return json.loads(f.content_string) if f.exists else {}


def wait_for(host, what, predicate, timeout=600):
    """Poll the host's journal until predicate(journal) holds; fail naming what never came."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = journal(host)
        if predicate(state):
            return state
        time.sleep(0.3)
    pytest.fail(f"{what} never happened: journal {journal(host)}")


def phase(state):
    return (state.get("upgrade") or {}).get("phase")


def running(host, pattern):
    """Whether a process matches on the host (the [x] keeps pgrep from matching its own shell)."""
    return host.run(f"pgrep -f '[{pattern[0]}]{pattern[1:]}'").rc == 0


def wait_until_gone(host, pattern, timeout=300):
    """What a killed controller started on the host may go on; wait for it to end."""
    for _ in range(timeout):
        if not running(host, pattern):
            return
        time.sleep(1)
    pytest.fail(f"{pattern} still runs on the host after {timeout}s")


def assert_serves(host, before, version):
    assert installed_version(host) == version
    for unit in UNITS:
        assert host.service(unit).is_running, unit
    assert health_status(host) == 200
    state = site_state(host)
    assert state["fingerprint"] == before["fingerprint"]
    assert not state["pending"], "migrations pending: " + ", ".join(state["pending"])


def rerun_finishes_the_open_upgrade(host, before):
    """After a dead run's lease: the next run finishes the switched upgrade; the oracle; the journal closed."""
    time.sleep(LEASE + 1)
    run = upgrade()
    assert run.rc == 0, run
    assert "Finished the upgrade" in run.output, run
    assert_serves(host, before, TARGET)
    state = journal(host)
    assert state["upgrade"] is None and state["lock"] is None
    return state


# Given to the first run only: the run that takes its upgrade over, given none, must run with it.
MARK = {"NAUTOBOT_OPS_TEST_MARK": "the-first-run"}


def test_second_run_refused_while_one_runs_then_killed_while_the_web_unit_stops(host, before):
    first = start_upgrade(upgrade_lock_lease=LEASE, upgrade_environment=MARK)
    try:
        state = wait_for(host, "the first run taking the lock", lambda s: (s.get("lock") or {}).get("run_id"))
        second = upgrade()
        assert second.rc != 0 and second.changed == 0, second
        assert "another upgrade run holds this host" in second.output and state["lock"]["run_id"] in second.output, second
        # Killed in its switch while the web unit stops (its ExecStop takes seconds), before the swap:
        # the previous release is installed and nothing serves. Watched on the host, every 50 ms.
        wait_for(host, "the switch", lambda s: phase(s) == "switching")
        stopping = host.run(
            "for i in $(seq 1200); do [ \"$(systemctl is-active nautobot)\" = deactivating ] && exit 0; sleep 0.05; done; exit 1"
        )
        assert stopping.rc == 0, "the web unit never stopped for the switch"
    finally:
        kill_controller(first)
    for _ in range(120):
        if host.run("systemctl is-active nautobot").stdout.strip() != "deactivating":
            break
        time.sleep(0.5)
    state = journal(host)
    assert installed_version(host) == FIXTURE, "killed after the swap"
    assert not host.service("nautobot").is_running and health_status(host) != 200
    assert phase(state) == "switching" and state["lock"]["run_id"] == state["upgrade"]["opened_by"]
    assert json.loads(host.file(OPERATOR_FILE).content_string) == MARK


def test_rerun_starts_the_web_unit_first_then_completes_the_upgrade(host, before):
    time.sleep(LEASE + 1)
    # The plan, given other variables, does not take the upgrade over: it never replaces those kept for it.
    plan = upgrade("--tags", "upgrade_preflight", upgrade_environment={"NAUTOBOT_OPS_TEST_MARK": "the-plan"})
    assert json.loads(host.file(OPERATOR_FILE).content_string) == MARK, plan
    assert phase(journal(host)) == "switching" and journal(host)["lock"] is None, plan
    run = upgrade()
    assert run.rc == 0, run
    # Finished with the dead run's upgrade_environment (this run was given none); kept to the end of the run.
    assert "Its commands run with the upgrade_environment kept for it" in run.output, run
    assert json.loads(host.file(OPERATOR_FILE).content_string) == MARK
    started = re.search(r"Start the web unit a dead run stopped for its switch\].*?\n(changed|ok|skipping|fatal)", run.output, re.S)
    assert started and started.group(1) == "changed", run
    assert_serves(host, before, TARGET)
    state = journal(host)
    assert state["upgrade"] is None and state["lock"] is None
    last = json.loads(host.file(HISTORY).content_string.splitlines()[-1])
    assert last["from"] == FIXTURE and last["to"] == TARGET, last


def test_then_nothing_to_do(host):
    run = upgrade()
    assert run.rc == 0 and run.changed == 0, run
    # With no upgrade open, the first run given no upgrade_environment removes the one kept.
    assert not host.file(OPERATOR_FILE).exists


def test_back_to_the_fixture_release(host, before):
    run = upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True)
    assert run.rc == 0, run
    assert_serves(host, before, FIXTURE)


def test_killed_during_the_migration_then_rerun_keeps_the_first_backup(host, before):
    backups_before = set(host.check_output("ls -1d /var/backups/nautobot/nautobot-* 2>/dev/null || true").split())
    run = start_upgrade(upgrade_lock_lease=LEASE)
    try:
        state = wait_for(host, "the migration", lambda s: phase(s) == "migrating")
        for _ in range(60):  # until migrate itself runs on the host
            if running(host, "nautobot-server.* (migrate|post_upgrade)"):
                break
            time.sleep(0.5)
        time.sleep(2)
    finally:
        kill_controller(run)
    # The migrate a dead controller started still runs on the host (docker exec, like ssh, leaves
    # it), held here by a lock on django_migrations so that it outlives the lease whatever the
    # machine's speed: past the lease a new run must still not start beside it.
    host.check_output(
        "setsid nohup sudo -u postgres psql -d nautobot -c 'BEGIN; LOCK TABLE django_migrations IN ACCESS EXCLUSIVE MODE;"
        " SELECT pg_sleep(300); COMMIT' >/dev/null 2>&1 &"
    )
    backup = state["upgrade"]["backup"]
    assert backup["verified"] is True and backup["path"] not in backups_before
    time.sleep(LEASE + 1)
    assert running(host, "nautobot-server.* (migrate|post_upgrade)")
    refused = upgrade()
    assert refused.rc != 0 and refused.changed == 0 and "still running" in refused.output, refused
    host.check_output(
        "sudo -u postgres psql -d nautobot -tAc \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE query LIKE '%pg_sleep(300)%' AND pid <> pg_backend_pid()\""
    )
    wait_until_gone(host, "nautobot-server.* (migrate|post_upgrade)")
    time.sleep(LEASE + 1)
    rerun = upgrade()
    assert rerun.rc == 0, rerun
    assert_serves(host, before, TARGET)
    # No second dump of a half-migrated database: the history names the backup taken before migrating.
    last = json.loads(host.file(HISTORY).content_string.splitlines()[-1])
    assert last["backup"] == backup["path"], last
    new_backups = set(host.check_output("ls -1d /var/backups/nautobot/nautobot-*").split()) - backups_before
    assert new_backups == {backup["path"]}, new_backups
    assert upgrade().changed == 0


def restoring(host):
    """Whether the restore itself runs: a process with the dump in its environment that is not only proving it.
    Each environment is read once: a proving process that ends between two reads looked like the restore."""
    return host.run(
        "for f in /proc/[0-9]*/environ; do e=$(tr '\\0' '\\n' 2>/dev/null < $f) || continue;"
        " printf '%s\\n' \"$e\" | grep -q '^NAUTOBOT_OPS_DUMP=' || continue;"
        " printf '%s\\n' \"$e\" | grep -q '^NAUTOBOT_OPS_VERIFY_ONLY=' || exit 0; done; exit 1"
    ).rc == 0


def said(run):
    """What the run said about the database and the rollback (each message is one line of its output)."""
    return "\n".join(line for line in run.output.splitlines() if "NOT restored" in line or "Rolled back" in line) or run.output[-3000:]


def kill_restore(host):
    """Kill the restore a dead controller left running (the script and psql under it): nothing commits."""
    host.run(
        "for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f 2>/dev/null | grep -q '^NAUTOBOT_OPS_DUMP=' || continue;"
        " p=${f#/proc/}; kill -9 ${p%/environ} 2>/dev/null; done; true"
    )


def psql(host, sql):
    """One statement as postgres on the site's database; its output, trimmed."""
    return host.check_output(f"sudo -u postgres psql -d nautobot -tAc \"{sql}\"").strip()


def migration_rows(host):
    """django_migrations' row count and last id, as db_backup.py records them."""
    out = host.check_output("sudo -u postgres psql -d nautobot -tAc 'SELECT count(*), coalesce(max(id), 0) FROM django_migrations'")
    count, last_id = out.strip().split("|")
    return {"count": int(count), "last_id": int(last_id)}


def test_rollback_killed_during_its_restore_is_finished_by_the_next_rollback(host, before):
    # playbooks/rollback.yml after a resumed upgrade, its controller killed while the database is
    # being restored: the journal names the rollback, and the next rollback.yml finishes that one
    # (the same backup, taken before migrating), not a new one from whatever is installed by then.
    expected_backup = json.loads(host.file(HISTORY).content_string.splitlines()[-1])["backup"]
    dump = f"{expected_backup}/database.dump"
    baseline = json.loads(host.file(f"{expected_backup}/manifest.json").content_string)["database_migrations"]
    run = start_upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True, upgrade_lock_lease=LEASE)
    kill_when(host, run, "the restore", lambda: restoring(host))
    # The restore it left running dies too (a host that rebooted): the database stays migrated,
    # while the code at the root is the previous release's already.
    kill_restore(host)
    wait_until_gone(host, "nautobot-server -c .* shell")
    assert migration_rows(host) != baseline
    # What a restore killed once pg_restore had written its SQL leaves beside the dump (the kill
    # above usually comes before): its work directory, the whole database as text. The next restore removes it.
    host.check_output(as_nautobot(f"sh -c 'mkdir {expected_backup}/.restore-k1ll3d && echo COPY > {expected_backup}/.restore-k1ll3d/restore.sql'"))
    assert installed_version(host) == FIXTURE
    state = journal(host)["upgrade"]
    assert state["kind"] == "rollback" and state["phase"] == "rolling_back", state
    assert (state["from"], state["to"], state["backup"]["path"]) == (FIXTURE, TARGET, expected_backup), state
    assert state["target_code"].endswith(f"/venv-{TARGET}"), state

    time.sleep(LEASE + 1)
    # Not an upgrade meanwhile: it would finish the rollback and then build on without the lock.
    refused = upgrade()
    assert refused.rc != 0 and refused.changed == 0, refused
    assert "Run playbooks/rollback.yml again to finish it" in refused.output, refused
    refused = upgrade(playbook="rollback.yml")
    assert refused.rc != 0 and "upgrade_rollback_accept_data_loss=true" in refused.output, refused
    assert "was cut short at phase rolling_back" in refused.output, refused

    # And now the dump cannot be restored either: never the previous release on the migrated
    # database. The target's code goes back in place and serves; the rollback stays open.
    host.check_output(f"cp -p {dump} {dump}.good && truncate -s 300 {dump}")
    run = upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True)
    assert run.rc != 0 and "ROLLBACK INCOMPLETE" in run.output and "was NOT restored" in run.output, said(run)
    assert_serves(host, before, TARGET)
    state = journal(host)["upgrade"]
    assert state["kind"] == "rollback" and state["phase"] == "rollback_unrestored" and state["db_schema"] == "target", state

    # The good dump back, the rollback killed in its restore again; this time the restore it
    # leaves runs to its end, and then the dump is damaged: the previous release's schema, so the
    # previous release runs on it, and the rollback stays open (its data was not put back).
    host.check_output(f"mv {dump}.good {dump}")
    run = start_upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True, upgrade_lock_lease=LEASE)
    kill_when(host, run, "the restore", lambda: restoring(host))
    wait_until_gone(host, "nautobot-server -c .* shell")
    assert migration_rows(host) == baseline, "the restore left running did not finish"
    time.sleep(LEASE + 1)
    host.check_output(f"cp -p {dump} {dump}.good && truncate -s 300 {dump}")
    run = upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True)
    host.check_output(f"mv {dump}.good {dump}")
    assert run.rc != 0 and "ROLLBACK INCOMPLETE" in run.output, said(run)
    state = journal(host)["upgrade"]
    assert state["phase"] == "rollback_unrestored" and state["db_schema"] == "previous", state
    assert f"It holds none of {TARGET}'s migrations" in run.output and f"so {FIXTURE} runs on it again" in run.output, said(run)
    assert_serves(host, before, FIXTURE)
    assert host.run(f"ls -d {expected_backup}/.restore-*").rc != 0, "a killed restore's work was left beside the dump"
    # The site writes meanwhile, on the database the restore left running had put back.
    device = psql(host, "SELECT min(name) FROM dcim_device")
    psql(host, f"UPDATE dcim_device SET comments = 'written after the restore' WHERE name = '{device}'")

    # With the dump good again, the next rollback finishes it, closed, without restoring over
    # what was written since: the journal says a restore was started and never said it ended,
    # and the database holds the dump's django_migrations rows, so that restore had committed.
    run = upgrade(playbook="rollback.yml", upgrade_rollback_accept_data_loss=True)
    assert run.rc == 0, said(run)
    assert f"Rolled back {ROOT} from Nautobot {TARGET} to {FIXTURE}, finishing the rollback" in run.output, said(run)
    assert "which did not record its end: not restored again" in run.flat, said(run)
    assert psql(host, f"SELECT comments FROM dcim_device WHERE name = '{device}'") == "written after the restore"
    assert_serves(host, before, FIXTURE)
    state = journal(host)
    assert state["upgrade"] is None and state["lock"] is None and state["last"]["kind"] == "rollback", state


def kill_when(host, run, what, predicate, timeout=600):
    """Kill the controller of `run` as soon as predicate() holds on the host; fail if the run ended first."""
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if predicate():
                return
            if run.poll() is not None:
                pytest.fail(f"the run ended (rc {run.returncode}) before {what}: journal {journal(host)}")
            time.sleep(0.2)
        pytest.fail(f"{what} never happened: journal {journal(host)}")
    finally:
        kill_controller(run)


def test_killed_after_the_workers_stop_during_the_backup_and_during_verification(host, before):
    """Three dead controllers in a row, each re-run taking over from the one before; the fourth run ends it."""
    run = start_upgrade(upgrade_lock_lease=LEASE)
    kill_when(host, run, "the workers stopped",
              lambda: phase(journal(host)) == "stopping_workers" and not host.service("nautobot-worker").is_running)
    state = journal(host)
    assert state["upgrade"]["switched"] is False and "backup" not in state["upgrade"], state
    # The web unit still serves the old release while the workers are down.
    assert installed_version(host) == FIXTURE and health_status(host) == 200

    time.sleep(LEASE + 1)
    run = start_upgrade(upgrade_lock_lease=LEASE)
    # The backup: the dump script's process (and pg_dump under it) carries NAUTOBOT_OPS_DUMP.
    kill_when(host, run, "the backup", lambda: host.run("grep -lsa NAUTOBOT_OPS_DUMP= /proc/[0-9]*/environ").rc == 0)
    wait_until_gone(host, "nautobot-server -c .* shell")
    state = journal(host)
    assert "backup" not in state["upgrade"] and not state["upgrade"].get("migrations_started"), state
    assert installed_version(host) == FIXTURE and health_status(host) == 200

    time.sleep(LEASE + 1)
    run = start_upgrade(upgrade_lock_lease=LEASE)
    kill_when(host, run, "the verification", lambda: running(host, "nautobot-server -c .* health_check"))
    state = journal(host)
    assert state["upgrade"]["switched"] is True and state["upgrade"]["backup"]["verified"] is True, state

    rerun_finishes_the_open_upgrade(host, before)
    # Only the verified backup the third run took is new; the killed dump left nothing a rollback could pick.
    backups = host.check_output("ls -1 /var/backups/nautobot").split()
    for name in backups:
        manifest = host.run(f"cat /var/backups/nautobot/{name}/manifest.json")
        assert manifest.rc == 0, f"/var/backups/nautobot/{name} has no manifest: an unfinished dump was kept"
    assert upgrade().changed == 0
