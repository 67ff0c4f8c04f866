# Read through `nautobot-server shell`: dump the database the configuration uses with
# pg_dump (custom format), credentials from the settings, never from the command line.
# NAUTOBOT_OPS_DUMP names the file. Prints one marked JSON line.
import json
import os
import subprocess

from django.conf import settings
from django.db import connection

db = settings.DATABASES["default"]
if connection.vendor != "postgresql":
    raise SystemExit("backup: only PostgreSQL is supported, not %s" % connection.vendor)
dump = os.environ["NAUTOBOT_OPS_DUMP"]
env = dict(os.environ, PGPASSWORD=str(db.get("PASSWORD") or ""))
command = ["pg_dump", "--format=custom", "--no-owner", "--file", dump, "--dbname", db["NAME"]]
for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
    if db.get(key):
        command += [option, str(db[key])]
os.umask(0o077)
subprocess.run(command, env=env, check=True)
print("NAUTOBOT_OPS_FACTS " + json.dumps({"dump": dump, "bytes": os.path.getsize(dump)}))
