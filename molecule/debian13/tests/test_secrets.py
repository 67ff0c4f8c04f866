"""The database password lives only in the units' EnvironmentFile (root's, see ../prepare.yml). The converge
upgraded without upgrade_environment; here a rollback and the upgrade again run with it too, at -vvv, while
every process's argv on the host is sampled. The password must reach nautobot-server (the config reads it
from the environment only) and must appear in no -vvv output, no argv, the host's journal or any file of ours."""

import json
import os
import tempfile

import pytest
from nautobot_host import OPERATOR_FILE, SECRETS, UNITS, fingerprint, health_status, installed_version
from playbook_runs import upgrade

TARGET = os.environ.get("NAUTOBOT_OPS_TARGET_VERSION", "3.2.7")
FIXTURE = os.environ.get("NAUTOBOT_OPS_FIXTURE_VERSION", "3.1.0")
SAMPLES = "/var/lib/nautobot-ops-test/argv.log"
SAMPLER = """
import glob, os, time
with open(%r, "a") as out:
    while not os.path.exists("/run/nautobot-ops-test-stop-sampler"):
        for path in glob.glob("/proc/[0-9]*/cmdline"):
            try:
                with open(path, "rb") as f:
                    out.write(f.read().replace(b"\\0", b" ").decode("utf-8", "replace") + "\\n")
            except OSError:
                pass
        out.flush()
        time.sleep(0.05)
""" % SAMPLES


@pytest.fixture(scope="module")
def secret(host):
    return host.check_output(f"sed -n 's/^NAUTOBOT_DB_PASSWORD=//p' {SECRETS}").strip()


@pytest.fixture(scope="module")
def before(host):
    return json.loads(host.file("/var/lib/nautobot-ops-test/before.json").content_string)


def test_the_site_reads_its_password_from_the_units_only(host, secret):
    assert len(secret) == 32
    assert host.file(SECRETS).mode == 0o600 and host.file(SECRETS).user == "root"
    assert secret not in host.file("/opt/nautobot/nautobot_config.py").content_string
    assert 'os.environ["NAUTOBOT_DB_PASSWORD"]' in host.file("/opt/nautobot/nautobot_config.py").content_string


def test_with_upgrade_environment_too_no_secret_leaks(host, secret, before):
    host.check_output(f"rm -f {SAMPLES} /run/nautobot-ops-test-stop-sampler")
    host.check_output(f"cat > /root/sampler.py <<'PY'\n{SAMPLER}\nPY")
    host.check_output("nohup python3 /root/sampler.py >/dev/null 2>&1 &")
    # Inventory-style: the operator's variables come from a file (vault, group_vars), not a command line.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"upgrade_environment": {"NAUTOBOT_DB_PASSWORD": secret}}, handle)
    try:
        os.chmod(handle.name, 0o600)
        rollback = upgrade("-vvv", "-e", "@" + handle.name, playbook="rollback.yml", upgrade_rollback_accept_data_loss=True)
        assert rollback.rc == 0, rollback
        assert installed_version(host) == FIXTURE
        again = upgrade("-vvv", "-e", "@" + handle.name)
        assert again.rc == 0, again
        last = upgrade("-e", "@" + handle.name)
    finally:
        os.unlink(handle.name)
        host.run("touch /run/nautobot-ops-test-stop-sampler")

    # The oracle: on the target, every unit runs, /health/ answers, the data is the same, a re-run changes nothing.
    assert installed_version(host) == TARGET
    for unit in UNITS:
        assert host.service(unit).is_running, unit
    assert health_status(host) == 200
    assert fingerprint(host) == before["fingerprint"]
    assert last.rc == 0 and last.changed == 0, last

    # Each place was really looked at: the sampler saw the migrations run, the journal has the modules' entries.
    samples = host.file(SAMPLES).content_string
    assert "nautobot-server -c /opt/nautobot" in samples and " migrate" in samples
    journal = host.check_output("journalctl --no-pager -o cat")
    assert "nautobot_command" in journal
    assert "task path:" in again.output and "task path:" in rollback.output
    # And the password is in none of them.
    for name, text in (("rollback -vvv", rollback.output), ("upgrade -vvv", again.output), ("argv", samples),
                       ("journal", journal)):
        assert secret not in text, f"the database password appears in {name}"
    # The one copy the role makes, by design: upgrade_environment for this run's commands, root's only.
    kept = host.file(OPERATOR_FILE)
    assert kept.exists and kept.user == "root" and kept.mode == 0o600
    found = host.run(
        f"grep -rlF -e '{secret}' /var/lib/nautobot-ops /var/backups/nautobot /tmp /root /var/log /etc /opt/nautobot/.nautobot-ops/*.json"
        f" 2>/dev/null | grep -vx -e {SECRETS} -e {OPERATOR_FILE}"
    )
    assert found.stdout.strip() == "", "the password was written to " + found.stdout
