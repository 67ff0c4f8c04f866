# Read through `nautobot-server shell` when a rollback cannot restore the dump: which release's
# code runs on the database? Its schema may be the previous release's (a restore that a killed
# run left running finished, or no migration landed) or the target's. A migration adds rows
# to django_migrations and a restore puts the dump's back, so the table's row count and last id,
# recorded by db_backup.py when the dump was taken, tell one from the other. The baseline comes
# from the host's journal only (NAUTOBOT_OPS_BASELINE, JSON): root owns it, while the backup's
# manifest is written by the nautobot user, whose Jobs run arbitrary code; a baseline forged
# there would put the previous release on a migrated database. Prints one marked JSON line.
import json
import os

MARKER = "NAUTOBOT_OPS_FACTS "


def schema_of(rows, baseline):
    """Which release's schema the database holds: "previous" when django_migrations is as the dump
    holds it (its data may still differ: a rollback does not count that as restored), "target" when
    migrations were recorded since, "unknown" without a baseline (a backup made before they were)."""
    try:
        expected = {"count": int(baseline["count"]), "last_id": int(baseline["last_id"])}
    except (KeyError, TypeError, ValueError):
        return "unknown"
    return "previous" if rows == expected else "target"


def baseline_of(environ):
    """The baseline the journal recorded, else None (no verdict: nothing moves)."""
    recorded = environ.get("NAUTOBOT_OPS_BASELINE") or ""
    try:
        baseline = json.loads(recorded) if recorded else None
    except ValueError:
        baseline = None
    return baseline if isinstance(baseline, dict) and baseline else None


def main():
    # Imported here: the unit tests run the functions above without Django.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM django_migrations")
        count, last_id = cursor.fetchone()
    rows = {"count": int(count), "last_id": int(last_id)}
    baseline = baseline_of(os.environ)
    print(MARKER + json.dumps({"migrations": rows, "baseline": baseline, "schema": schema_of(rows, baseline)}))


# `nautobot-server shell` runs this file through exec(); the unit tests import it as `db_state`.
if __name__ != "db_state":
    main()
