# Read through `nautobot-server shell`: dump the database the configuration uses with
# pg_dump (custom format), credentials from the settings, never from the command line.
# NAUTOBOT_OPS_DUMP names the file. The dump is proven before anything is migrated: pg_restore
# reads its table of contents and every data block (`--list` alone passes a dump cut short in
# its data). Prints one marked JSON line with its size and sha256, for the manifest.
import hashlib
import json
import os
import subprocess


class Unproven(Exception):
    """The dump just written does not read back whole."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prove(dump):
    """Facts of a dump that reads back whole and holds table data; raises Unproven."""
    for command in (["pg_restore", "--list", dump], ["pg_restore", "--file", os.devnull, dump]):
        run = subprocess.run(command, capture_output=True, text=True, errors="replace", check=False)
        if run.returncode:
            message = (run.stderr.strip().splitlines() or ["exit %d" % run.returncode])[-1]
            raise Unproven("`%s` failed: %s" % (" ".join(command[:2]), message))
        if command[1] == "--list" and " TABLE DATA " not in run.stdout:
            raise Unproven("`pg_restore --list` shows no table data")
    return {"dump": dump, "bytes": os.path.getsize(dump), "sha256": sha256_of(dump), "verified": True}


def main():
    # Imported here: the unit tests run the functions above without Django.
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        raise SystemExit("backup: only PostgreSQL is supported, not %s" % connection.vendor)
    dump = os.environ["NAUTOBOT_OPS_DUMP"]
    # What the dump holds of django_migrations: a rollback that cannot restore it tells from
    # this whether the target's migrations landed since (db_state.py). Nothing migrates meanwhile:
    # the run holds the host's lock.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM django_migrations")
        count, last_id = cursor.fetchone()
    env = dict(os.environ, PGPASSWORD=str(db.get("PASSWORD") or ""))
    command = ["pg_dump", "--format=custom", "--no-owner", "--file", dump, "--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    os.umask(0o077)
    run = subprocess.run(command, env=env, stderr=subprocess.PIPE, text=True, errors="replace", check=False)
    if run.returncode:
        message = (run.stderr.strip().splitlines() or ["no message"])[-1]
        raise SystemExit("backup: pg_dump exited %d, so nothing was migrated: %s" % (run.returncode, message))
    try:
        facts = prove(dump)
    except Unproven as error:
        raise SystemExit("backup: the dump %s does not read back whole, so nothing was migrated: %s" % (dump, error))
    facts["migrations"] = {"count": int(count), "last_id": int(last_id)}
    print("NAUTOBOT_OPS_FACTS " + json.dumps(facts))


# `nautobot-server shell` runs this file through exec(); the unit tests import it as `db_backup`.
if __name__ != "db_backup":
    main()
