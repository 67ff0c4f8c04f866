"""What the testinfra suites ask a Nautobot test host: served health, installed version, data."""

import json

ROOT = "/opt/nautobot"
UNITS = ("nautobot", "nautobot-worker", "nautobot-scheduler")
HEALTH_URL = "http://127.0.0.1:8080/health/"
FINGERPRINT_SCRIPT = "/opt/nautobot-fixture/fingerprint.py"
# The role's journal of ROOT and its upgrade history, in root's directory.
JOURNAL = "/var/lib/nautobot-ops/opt-nautobot.json"
HISTORY = "/var/lib/nautobot-ops/opt-nautobot.history.jsonl"


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


def fingerprint(host, venv=ROOT):
    """Counts and digests of the rows the site created (see testbed/fixture/files/fingerprint.py)."""
    out = host.check_output(
        as_nautobot(f"sh -c 'cd {ROOT} && {venv}/bin/nautobot-server shell --interface python < {FINGERPRINT_SCRIPT} 2>/dev/null'")
    )
    line = [row for row in out.splitlines() if row.startswith("FINGERPRINT ")][-1]
    return json.loads(line[len("FINGERPRINT "):])


def file_sha256(host, path):
    return host.check_output(f"sha256sum {path}").split()[0]
