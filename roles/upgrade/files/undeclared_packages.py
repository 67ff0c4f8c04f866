"""List distributions in this venv that neither Nautobot's dependency tree nor
local_requirements.txt declares: a rebuilt venv would silently lose them.

usage: <venv>/bin/python undeclared_packages.py [LOCAL_REQUIREMENTS [REQUIREMENT...]]   -> JSON list
LOCAL_REQUIREMENTS may be empty (none); each REQUIREMENT is one more line of it.
"""
import json
import re
import sys

try:
    from importlib import metadata
except ImportError:  # Python < 3.8 (Nautobot 1.x)
    import importlib_metadata as metadata


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(line):
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
    return canonical(match.group(1)) if match else None


installed = {canonical(dist.metadata["Name"]): dist for dist in metadata.distributions() if dist.metadata["Name"]}
lines = list(sys.argv[2:])
if len(sys.argv) > 1 and sys.argv[1]:
    try:
        with open(sys.argv[1]) as handle:
            lines.extend(handle)
    except FileNotFoundError:
        pass
wanted = ["nautobot"]
for line in lines:
    line = line.split("#", 1)[0].strip()
    if line and not line.startswith("-"):
        wanted.append(requirement_name(line))

declared = set()
while wanted:
    name = wanted.pop()
    if not name or name in declared:
        continue
    declared.add(name)
    dist = installed.get(name)
    # Extras are followed too: what an extra pulled in was asked for by somebody.
    for requirement in (dist.requires or []) if dist else []:
        wanted.append(requirement_name(requirement))

tooling = {"pip", "setuptools", "wheel", "distribute", "pkg-resources"}
print(json.dumps(sorted(dist.metadata["Name"] for name, dist in installed.items() if name not in declared | tooling)))
