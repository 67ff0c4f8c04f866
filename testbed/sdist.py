"""Download a release's source distribution from PyPI once, checked against the sha256 PyPI
publishes for it: a real release archive for the archive and git scenarios.

usage: python3 testbed/sdist.py nautobot 3.2.7   -> prints "<path> sha256:<hex>"
"""

import hashlib
import json
import os
import pathlib
import ssl
import sys
import urllib.request

name, version = sys.argv[1], sys.argv[2]
cache = pathlib.Path(os.environ.get("NAUTOBOT_OPS_CACHE") or pathlib.Path.home() / ".cache/nautobot-ops") / "sdist"
cafile = "/etc/ssl/certs/ca-certificates.crt"
context = ssl.create_default_context(cafile=cafile if os.path.exists(cafile) else None)


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, context=context, timeout=120) as response:
        return response.read()


index = json.loads(fetch(f"https://pypi.org/simple/{name}/", {"Accept": "application/vnd.pypi.simple.v1+json"}))
wanted = f"{name}-{version}.tar.gz"
entry = next((f for f in index["files"] if f["filename"] == wanted), None)
if entry is None:
    sys.exit(f"sdist: PyPI has no {wanted}")
digest = entry["hashes"]["sha256"]
path = cache / wanted
if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
    cache.mkdir(parents=True, exist_ok=True)
    data = fetch(entry["url"])
    if hashlib.sha256(data).hexdigest() != digest:
        sys.exit(f"sdist: {wanted} does not match the sha256 PyPI publishes")
    path.write_bytes(data)
print(f"{path} sha256:{digest}")
