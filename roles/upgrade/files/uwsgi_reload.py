"""Can the web unit be reloaded instead of restarted, without refusing a connection?

A uWSGI reload re-executes the master and keeps its own sockets open, so requests wait for the
new code instead of failing. Two things in the site's uwsgi.ini decide whether that holds:
  - binary-path inside the venv the unit runs: without it uWSGI re-executes the base Python
    (outside the venv), cannot import nautobot and exits (the unit then waits RestartSec);
  - no `http =` router with its own socket: the router is respawned on reload and its socket
    closes meanwhile (connections refused); `shared-socket` + `http = =0`, `http-socket` or
    `socket` survive (the `=0` router is still respawned: the request it is passing on fails).

When the unit's ExecReload is the upstream `nautobot-server start --reload PIDFILE` of the
pidfile its ExecStart (`nautobot-server start --pidfile PIDFILE`, the unit's main process and the
uWSGI master) writes, all it does is send SIGHUP to that master, after starting Django for
seconds first. "signal" says the role may send the SIGHUP itself, right after the swap: the old
workers then do not answer from the swapped files meanwhile (500s, measured 3-4 s).

That holds for Type=simple, exec or notify units whose uWSGI has a master (`master = true`) and does
not daemonize; otherwise the main process may not be the master, and the ExecReload is run.

usage: python uwsgi_reload.py EXECSTART EXECRELOAD VENV [TYPE]
       -> JSON {"reload": bool, "signal": bool, "ini": path, "why": [...]}
"""
import configparser
import json
import re
import sys


def argv(line):
    found = re.search(r"argv\[\]=([^;]*)", line)
    return found.group(1).split() if found else []


exec_start, exec_reload, venv = sys.argv[1:4]
unit_type = sys.argv[4].split("=", 1)[-1] if len(sys.argv) > 4 else ""
why = []
options = {}
match = re.search(r"--ini[= ]+(\S+)", exec_start)
ini = match.group(1).rstrip(";") if match else ""
if not re.search(r"path=\S", exec_reload):
    why.append("the unit has no ExecReload")
if not ini:
    why.append("the unit's ExecStart names no --ini file")
else:
    parser = configparser.ConfigParser(strict=False, interpolation=None, inline_comment_prefixes=(";", "#"))
    try:
        with open(ini) as handle:
            parser.read_file(handle)
        options = dict(parser.items("uwsgi")) if parser.has_section("uwsgi") else {}
    except (OSError, configparser.Error) as error:
        options = {}
        why.append("%s cannot be read: %s" % (ini, error))
    binary = options.get("binary-path", "")
    if not binary.startswith(venv.rstrip("/") + "/bin/"):
        why.append("%s sets no binary-path in %s/bin (a reload would start Python outside the venv)" % (ini, venv))
    routers = [key for key in ("http", "https") if key in options and not options[key].startswith("=")]
    if routers:
        why.append("%s serves through an `%s =` router whose socket closes during a reload"
                   " (use http-socket or socket; shared-socket with `http = =0` keeps the socket"
                   " but fails the request in flight at a reload)" % (ini, routers[0]))
    elif not any(key in options for key in ("shared-socket", "socket", "http-socket", "uwsgi-socket")):
        why.append("%s has no socket uWSGI keeps across a reload" % ini)

server = venv.rstrip("/") + "/bin/nautobot-server"
start, reload_ = argv(exec_start), argv(exec_reload)
pidfile = start[start.index("--pidfile") + 1] if "--pidfile" in start[:-1] else None
master = not options.get("daemonize") and options.get("master", "").lower() in ("true", "1", "yes", "on")
signal = (not why and master and unit_type in ("simple", "exec", "notify") and pidfile is not None
          and start[:2] == [server, "start"] and reload_ == [server, "start", "--reload", pidfile])
print(json.dumps({"reload": not why, "signal": signal, "ini": ini, "why": why}))
