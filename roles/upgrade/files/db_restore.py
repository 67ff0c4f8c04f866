# Read through `nautobot-server shell` of the release being restored: put the database back
# as the dump NAUTOBOT_OPS_DUMP holds it. Prints one marked JSON line.
#
# Nothing is dropped before the dump is proven: it exists, its sha256 is the one manifest.json
# recorded when it was taken, and pg_restore reads it whole into a temporary SQL file. Only
# then ONE psql transaction drops what the configured user owns in schema public (tables a
# failed migration created too) and replays that file: either the whole restore lands or the
# database stays as it was.
#
# With NAUTOBOT_OPS_VERIFY_ONLY set the dump is only proven (the rollback's preflight).
#
# With NAUTOBOT_OPS_LANDED_BASELINE (JSON: django_migrations' count and last id as the dump holds
# them; set when the host's journal says a restore was started and its end was never recorded)
# nothing is restored when the table is already the dump's: that restore committed, and the
# previous release may have written since; restoring again would lose it.
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import tempfile

MARKER = "NAUTOBOT_OPS_FACTS "

# Extensions belong to whoever created them, usually a DBA as superuser (pg_stat_statements):
# the user cannot replay CREATE/COMMENT ON EXTENSION, and the database keeps the ones it has.
# Schema public is never dropped either, so its own entries are not replayed.
NOT_REPLAYED = re.compile(r"^\d+; \d+ \d+ (EXTENSION - |COMMENT - EXTENSION |SCHEMA - public |COMMENT - SCHEMA public )")

# Found inside the restore's transaction, kind by kind: CASCADE may have taken some already.
# Members of extensions stay with their extension, which is not replayed either.
DROP_OWNED = """\
SET client_min_messages = warning;
DO $nautobot_ops$
DECLARE
    kind record;
    names text;
BEGIN
    FOR kind IN SELECT * FROM (VALUES (1, 'v', 'VIEW'), (2, 'm', 'MATERIALIZED VIEW'), (3, 'p', 'TABLE'),
                                      (4, 'r', 'TABLE'), (5, 'S', 'SEQUENCE')) AS k(position, relkind, name)
                ORDER BY position
    LOOP
        SELECT string_agg(format('%I.%I', n.nspname, c.relname), ', ') INTO names
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = kind.relkind::"char"
           AND pg_get_userbyid(c.relowner) = current_user
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                     AND d.deptype = 'e');
        IF names IS NOT NULL THEN
            EXECUTE format('DROP %s IF EXISTS %s CASCADE', kind.name, names);
        END IF;
    END LOOP;
END
$nautobot_ops$;
"""


class Refused(Exception):
    """The dump cannot be trusted; nothing was dropped."""


class NotRestored(Exception):
    """The restore transaction failed and was rolled back."""


def pg_connection(db):
    """(dbname, psql/pg_restore connection options, environment) from Django's DATABASES entry."""
    options = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            options += [option, str(db[key])]
    return db["NAME"], options, dict(os.environ, PGPASSWORD=str(db.get("PASSWORD") or ""))


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def recorded_sha256(dump):
    """The sha256 the backup's manifest.json recorded; None for backups made before it did."""
    path = os.path.join(os.path.dirname(os.path.abspath(dump)), "manifest.json")
    if not os.path.exists(path):
        return None
    try:
        with open(path) as handle:
            return json.load(handle).get("database_sha256")
    except (OSError, ValueError) as error:
        raise Refused("the backup's manifest %s cannot be read: %s" % (path, error))


def last_line(text):
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def toc_entries(dump):
    """The entries `pg_restore --list` reads from the dump's table of contents."""
    run = subprocess.run(["pg_restore", "--list", dump], capture_output=True, text=True, errors="replace", check=False)
    if run.returncode:
        raise Refused("the dump %s is unreadable (corrupt or cut short): %s" % (dump, last_line(run.stderr)))
    entries = [line for line in run.stdout.splitlines() if line and not line.startswith(";")]
    if not any(" TABLE DATA " in line for line in entries):
        raise Refused("the dump %s holds no table data" % dump)
    return entries


def replayed(entries):
    """The entries a restore replays (for `pg_restore --use-list`)."""
    return [line for line in entries if not NOT_REPLAYED.match(line)]


def read_whole(dump, sql=os.devnull, listing=None):
    """Every data block read (into the restore's SQL, or nowhere): a dump cut short fails here."""
    command = ["pg_restore", "--no-owner", "--no-privileges", "--file", sql, dump]
    if listing:
        command[1:1] = ["--use-list", listing]
    run = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
    if run.returncode and "No space left on device" in run.stderr:
        raise Refused("no room to write the restore's SQL beside %s (the dump itself reads): %s" % (dump, last_line(run.stderr)))
    if run.returncode:
        raise Refused("the dump %s is unreadable (corrupt or cut short): %s" % (dump, last_line(run.stderr)))


def verify(dump):
    """Prove the dump as far as its table of contents; raises Refused. (facts, TOC entries)."""
    if not os.path.isfile(dump):
        raise Refused("the dump %s does not exist" % dump)
    expected = recorded_sha256(dump)
    actual = sha256_of(dump)
    if expected and actual != expected:
        raise Refused(
            "the dump %s is corrupt: its sha256 is %s, manifest.json recorded %s when it was taken"
            % (dump, actual, expected)
        )
    entries = toc_entries(dump)
    facts = {"dump": dump, "bytes": os.path.getsize(dump), "sha256": actual, "checksum_recorded": bool(expected),
             "entries": len(entries), "verified": True}
    return facts, entries


WORK_PREFIX = ".restore-"


def sweep_stale_work(directory):
    """Remove the work directories of restores that were killed (the whole database as SQL text,
    left beside the dump): only real directories of this user with our prefix. Returns their names.
    One run at a time holds the host's lock, so none of them is in use."""
    removed = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if not name.startswith(WORK_PREFIX):
            continue
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            continue
        shutil.rmtree(path)
        removed.append(name)
    return removed


def restore(dump, dbname, options, env):
    """Replace what the user owns in schema public with the dump, in one transaction."""
    facts, entries = verify(dump)
    directory = os.path.dirname(os.path.abspath(dump))
    facts["stale_work_removed"] = sweep_stale_work(directory)
    # Beside the dump: as private as it, and on a file system with room for a dump.
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=directory) as work:
        listing, sql, drops = (os.path.join(work, name) for name in ("restore.list", "restore.sql", "drop.sql"))
        with open(listing, "w") as handle:
            handle.write("".join(line + "\n" for line in replayed(entries)))
        read_whole(dump, sql, listing)
        with open(drops, "w") as handle:
            handle.write(DROP_OWNED)
        run = subprocess.run(
            ["psql", "--no-psqlrc", "--quiet", "--single-transaction", "--set", "ON_ERROR_STOP=1",
             "--dbname", dbname] + options + ["--file", drops, "--file", sql],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, errors="replace", env=env, check=False,
        )
    if run.returncode:
        raise NotRestored("psql exited %d: %s" % (run.returncode, last_line(run.stderr)))
    return dict(facts, restored=dump)


def landed_baseline(environ):
    """The baseline of a restore whose end was not recorded, or None."""
    try:
        baseline = json.loads(environ.get("NAUTOBOT_OPS_LANDED_BASELINE") or "null")
        return {"count": int(baseline["count"]), "last_id": int(baseline["last_id"])}
    except (ValueError, TypeError, KeyError):
        return None


def migration_rows(cursor):
    """django_migrations' row count and last id (db_backup.py records them with the dump)."""
    cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM django_migrations")
    count, last_id = cursor.fetchone()
    return {"count": int(count), "last_id": int(last_id)}


def main():
    dump = os.environ["NAUTOBOT_OPS_DUMP"]
    if os.environ.get("NAUTOBOT_OPS_VERIFY_ONLY"):
        try:
            facts = verify(dump)[0]
            read_whole(dump)
        except Refused as error:
            raise SystemExit("verify: %s" % error)
        print(MARKER + json.dumps(facts))
        return
    # Imported here: the unit tests run the functions above without Django.
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("restore: only PostgreSQL is supported, not %s" % connection.vendor)
    baseline = landed_baseline(os.environ)
    if baseline:
        with connection.cursor() as cursor:
            rows = migration_rows(cursor)
        if rows == baseline:
            removed = sweep_stale_work(os.path.dirname(os.path.abspath(dump)))
            print(MARKER + json.dumps({"dump": dump, "restored": None, "landed": True, "migrations": rows,
                                       "stale_work_removed": removed}))
            return
    try:
        facts = restore(dump, *pg_connection(settings.DATABASES["default"]))
    except Refused as error:
        raise SystemExit("restore refused, nothing was dropped: the database was left as it was; %s" % error)
    except NotRestored as error:
        raise SystemExit("restore failed, its transaction was rolled back: the database was left as it was; %s" % error)
    print(MARKER + json.dumps(facts))


# `nautobot-server shell` runs this file through exec(); the unit tests import it as `db_restore`.
if __name__ != "db_restore":
    main()
