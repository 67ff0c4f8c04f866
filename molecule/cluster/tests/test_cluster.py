"""One site on four hosts, upgraded together: every host on the target, the database migrated
once, the web hosts reloaded one after the other, the data intact; and the failed attempt
before it put every host back."""

import json
import os
import subprocess

import pytest
import testinfra
from nautobot_host import HISTORY, ROOT, as_nautobot, fingerprint, health_status, installed_version

TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
WEB = ["cluster-web1", "cluster-web2"]
APP = WEB + ["cluster-worker"]
UNITS = {"cluster-web1": ["nautobot"], "cluster-web2": ["nautobot"], "cluster-worker": ["nautobot-worker", "nautobot-scheduler"]}


def on(name):
    return testinfra.get_host(f"ansible://{name}?ansible_inventory={INVENTORY}")


def history(name):
    text = on(name).file(HISTORY).content_string
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def upgrades(name):
    return [entry for entry in history(name) if not entry.get("rolled_back")]


@pytest.fixture(scope="module")
def before():
    return json.loads(on("cluster-web1").file("/var/lib/nautobot-ops-test/before.json").content_string)


@pytest.mark.parametrize("name", APP)
def test_target_installed(name):
    assert installed_version(on(name)) == TARGET


@pytest.mark.parametrize("name", APP)
def test_only_its_own_units_run(name):
    host = on(name)
    for unit in ("nautobot", "nautobot-worker", "nautobot-scheduler"):
        assert host.service(unit).is_running == (unit in UNITS[name]), unit


@pytest.mark.parametrize("name", WEB)
def test_web_hosts_serve(name):
    assert health_status(on(name)) == 200


def web_journal(host):
    """The web unit's journal since prepare noted its main process (web2's was stopped then)."""
    since = int(host.file("/var/lib/nautobot-ops-test/web_main_pid").mtime.timestamp())
    return host.check_output(f"journalctl -u nautobot.service --since @{since} --no-pager")


def test_web_unit_reloaded_not_restarted():
    host = on("cluster-web1")
    pid = host.check_output("systemctl show --property=MainPID --value nautobot.service")
    assert pid == host.file("/var/lib/nautobot-ops-test/web_main_pid").content_string.strip()


def test_web_unit_got_the_signal_not_its_exec_reload():
    """The upstream ExecReload starts Django for seconds before its SIGHUP, while the old workers
    answer from the swapped files: the swap's script sends the SIGHUP itself (no systemd reload)."""
    journal = web_journal(on("cluster-web1"))
    assert "binary reloading uWSGI" in journal
    assert "Reloading nautobot.service" not in journal and "Reloaded nautobot.service" not in journal


def test_stopped_web_unit_started_by_its_switch():
    """web2's unit was stopped before the upgrade: no master to signal, so the switch started it."""
    host = on("cluster-web2")
    journal = web_journal(host)
    assert "Stopped nautobot.service" in journal and "Started nautobot.service" in journal
    assert "binary reloading uWSGI" not in journal
    assert host.service("nautobot").is_running


def test_database_migrated_once():
    last = {name: upgrades(name)[-1] for name in APP}
    assert [name for name, entry in last.items() if entry["migrated_here"]] == ["cluster-web1"]
    assert len(last["cluster-web1"]["migrations"]) > 0
    assert all(entry["migrations"] == [] for name, entry in last.items() if name != "cluster-web1")
    duplicates = on("cluster-db").check_output(
        "sudo -u postgres psql -At nautobot -c "
        "\"SELECT count(*) FROM (SELECT app, name FROM django_migrations GROUP BY app, name HAVING count(*) > 1) d\""
    )
    assert duplicates == "0"


def test_every_host_on_one_site():
    assert {tuple(sorted(upgrades(name)[-1]["site"])) for name in APP} == {tuple(sorted(APP))}


def test_web_hosts_switched_one_batch_at_a_time_then_the_worker():
    last = {name: upgrades(name)[-1] for name in APP}
    assert last["cluster-web1"]["verified_at"] <= last["cluster-web2"]["switched_at"]
    assert last["cluster-web2"]["verified_at"] <= last["cluster-worker"]["switched_at"]


def test_no_pending_migrations():
    cmd = on("cluster-worker").run(as_nautobot(f"{ROOT}/bin/nautobot-server migrate --check"))
    assert cmd.rc == 0, cmd.stderr


def test_data_unchanged(before):
    assert fingerprint(on("cluster-web1")) == before["fingerprint"]


def test_failed_attempt_named_the_failing_host_and_rolled_back_everywhere():
    for name in APP:
        record = json.loads(on(name).file("/var/lib/nautobot-ops-test/failed_upgrade.json").content_string)
        assert record["version_after"] == FIXTURE, (name, record)
        assert "Rolled back" in record["message"], (name, record)
        if name != "cluster-web2":
            assert "cluster-web2" in record["message"], (name, record)


def test_first_web_host_passed_then_was_put_back_with_the_database():
    entries = history("cluster-web1")
    kinds = [("rolled_back" if entry.get("rolled_back") else "upgrade", entry["from"], entry["to"]) for entry in entries]
    assert kinds == [("upgrade", FIXTURE, TARGET), ("rolled_back", TARGET, FIXTURE), ("upgrade", FIXTURE, TARGET)]
    assert entries[1]["database_restored"] and entries[1]["ok"]


def test_a_run_limited_to_one_host_of_the_site_is_refused():
    # Any release other than the installed one makes preflight run (3.2.99 is refused as well: not in the wheelhouse).
    from playbook_runs import upgrade

    run = upgrade("--limit", "cluster-web1", upgrade_version="3.2.99")
    assert run.rc != 0 and run.changed == 0, run
    assert "are not in this run (--limit or serial:): cluster-web2, cluster-worker" in run.output, run
    assert installed_version(on("cluster-web1")) == TARGET


def test_ansible_core_that_rolls_back_only_the_failing_host_is_refused_for_a_site():
    # Before 2.17, any_errors_fatal does not send the other hosts to the rescue: one host would roll
    # back (restoring the database) while the others switch to the new release on it. The lowest
    # ansible-core the collection claims (tests/matrix.sh low) must refuse a site of several hosts.
    from playbook_runs import TOP, Run, command, environment

    low = os.path.join(TOP, ".venv-low", "bin", "ansible-playbook")
    version = subprocess.run([low, "--version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]
    assert "core 2.16." in version, version
    journals = {name: on(name).check_output("cat /var/lib/nautobot-ops/opt-nautobot.json") for name in APP}
    argv = [low] + command({"upgrade_version": "3.2.99"}, "--check")[1:]
    run = Run(subprocess.run(argv, capture_output=True, text=True, env=environment(), timeout=600, check=False))
    assert run.rc != 0 and run.changed == 0, run
    assert "does not roll back every host of a site when one fails" in run.flat, run
    assert "cluster-web1, cluster-web2, cluster-worker" in run.flat, run
    for name, journal in journals.items():
        assert on(name).check_output("cat /var/lib/nautobot-ops/opt-nautobot.json") == journal
        assert installed_version(on(name)) == TARGET
