"""What the testinfra suites ask a Nautobot test host: served health, installed version, data."""

import base64
import json

ROOT = "/opt/nautobot"
UNITS = ("nautobot", "nautobot-worker", "nautobot-scheduler")
HEALTH_URL = "http://127.0.0.1:8080/health/"
FINGERPRINT_SCRIPT = "/opt/nautobot-fixture/fingerprint.py"
# The role's journal of ROOT and its upgrade history, in root's directory.
JOURNAL = "/var/lib/nautobot-ops/opt-nautobot.json"
HISTORY = "/var/lib/nautobot-ops/opt-nautobot.history.jsonl"
# upgrade_environment, kept for a run's commands (root's, 0600).
OPERATOR_FILE = "/var/lib/nautobot-ops/opt-nautobot.environment.json"


# Where molecule/debian13 keeps the database password, as a site's units do (EnvironmentFile=, root's).
SECRETS = "/etc/nautobot/secrets.env"


def as_nautobot(command):
    """`command` as the nautobot user with the environment its units have (the secrets file where there is one),
    passed through the environment, never on a command line."""
    return (
        f"sh -c 'set -a; [ ! -r {SECRETS} ] || . {SECRETS}; set +a; exec \"$@\"' -"
        f" runuser -u nautobot -- env NAUTOBOT_ROOT={ROOT} {command}"
    )


def health_status(host, settle=30):
    """HTTP status of /health/, as an int (0 when nothing answers). A unit restarted a moment
    ago may not listen yet: asks again for up to `settle` seconds before returning what it got."""
    out = host.check_output(
        f"for i in $(seq 1 {max(settle, 1)}); do code=$(curl -s -o /dev/null -w '%{{http_code}}' --max-time 20 {HEALTH_URL});"
        " [ \"$code\" = 200 ] && break; sleep 1; done; echo \"$code\""
    )
    return int(out.strip() or 0)


def installed_version(host, venv=ROOT):
    """The installed distribution's version, read through the venv's own Python."""
    return host.check_output(
        as_nautobot(f"{venv}/bin/python -c \"import importlib.metadata as m; print(m.version('nautobot'))\"")
    ).strip()


# Appended to the fingerprint script by site_state(): the migrations `migrate --check` would find
# unapplied, read in the same Django boot (each boot costs seconds of CPU on a shared CI machine).
PENDING_SCRIPT = (
    "from django.db import connection\n"
    "from django.db.migrations.executor import MigrationExecutor\n"
    "executor = MigrationExecutor(connection)\n"
    "plan = executor.migration_plan(executor.loader.graph.leaf_nodes())\n"
    "print('PENDING ' + json.dumps([f'{migration.app_label}.{migration.name}' for migration, _ in plan]))\n"
)


def _shell_lines(host, venv, stdin):
    out = host.check_output(
        as_nautobot(f"sh -c 'cd {ROOT} && {stdin} | {venv}/bin/nautobot-server shell --interface python 2>/dev/null'")
    )
    return {row.split(" ", 1)[0]: json.loads(row.split(" ", 1)[1]) for row in out.splitlines()
            if row.startswith(("FINGERPRINT ", "PENDING "))}


def fingerprint(host, venv=ROOT):
    """Counts and digests of the rows the site created (see testbed/fixture/files/fingerprint.py)."""
    return _shell_lines(host, venv, f"cat {FINGERPRINT_SCRIPT}")["FINGERPRINT"]


def site_state(host, venv=ROOT):
    """The fingerprint, and the migrations not applied (as `migrate --check` sees them), from one Django boot."""
    encoded = base64.b64encode(PENDING_SCRIPT.encode()).decode()
    lines = _shell_lines(host, venv, f"{{ cat {FINGERPRINT_SCRIPT}; echo {encoded} | base64 -d; }}")
    return {"fingerprint": lines["FINGERPRINT"], "pending": lines["PENDING"]}


def file_sha256(host, path):
    return host.check_output(f"sha256sum {path}").split()[0]
