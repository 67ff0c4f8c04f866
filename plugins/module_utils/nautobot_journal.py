# -*- coding: utf-8 -*-
# Copyright (c) nautobot_ops.lifecycle contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The upgrade journal: what a re-run must know about an upgrade in progress, kept on the host.

One JSON document per Nautobot root, in a directory only root can write. It has two parts:
``lock`` (which run works on the host now, and until when its lease holds) and ``upgrade``
(the upgrade in progress: from, to, phase reached, backup, units stopped, switched or not).
A run takes the lock first; a second run is refused while the lease holds or an upgrade
process of the holder still runs on the host; a holder that is gone (a dead controller) is
taken over, with the open upgrade, by the next run. Every write is atomic (temp file, fsync,
rename, fsync of the directory) and made under an flock, so two runs cannot both take it.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import fcntl
import json
import os
import re
import stat
import time

VERSION = 1


class JournalError(Exception):
    """A refusal: the message says what is wrong and what to do."""


def safe_directory(path, create=True, uid=0):
    """Check (and make) a directory only ``uid`` can write: every component a real directory,
    not a link, owned by root or ``uid``, not writable by group or others. A link anywhere
    (a user who can write the parent could have put one) is refused, never followed."""
    path = os.path.abspath(path)
    current = "/"
    for part in [p for p in path.split("/") if p]:
        current = os.path.join(current, part)
        try:
            info = os.lstat(current)
        except OSError as error:
            if error.errno != errno.ENOENT or not create:
                raise JournalError("state directory %s: %s" % (current, error.strerror))
            os.mkdir(current, 0o755)
            info = os.lstat(current)
        if stat.S_ISLNK(info.st_mode):
            raise JournalError(
                "state directory %s is not safe: %s is a symbolic link (to %s); remove it, or set upgrade_journal_dir"
                % (path, current, os.readlink(current))
            )
        if not stat.S_ISDIR(info.st_mode):
            raise JournalError("state directory %s is not safe: %s is not a directory" % (path, current))
        if info.st_uid not in (0, uid):
            raise JournalError("state directory %s is not safe: %s is owned by uid %d, not root" % (path, current, info.st_uid))
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) and not info.st_mode & stat.S_ISVTX:
            raise JournalError("state directory %s is not safe: %s is writable by group or others" % (path, current))
    return path


def journal_name(root):
    """File name of the journal of one Nautobot root: /opt/nautobot -> opt-nautobot.json."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", root.strip("/")) or "root"
    return slug + ".json"


def environment_file(journal):
    """Where a run keeps the operator's variables for its commands: beside the journal."""
    return re.sub(r"\.json$", "", journal) + ".environment.json"


def discard_file(path):
    """Remove ``path`` (never what a link points to). True when there was one to remove."""
    try:
        os.unlink(path)
    except OSError as error:
        if error.errno == errno.ENOENT:
            return False
        raise JournalError("%s cannot be removed: %s" % (path, error.strerror))
    return True


def read_json(path):
    """The journal at ``path``, or None when there is none. Opened without following links."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as error:
        if error.errno == errno.ENOENT:
            return None
        raise JournalError("journal %s cannot be read: %s" % (path, error.strerror))
    with os.fdopen(fd) as handle:
        text = handle.read()
    try:
        return json.loads(text)
    except ValueError:
        raise JournalError("journal %s is damaged (not JSON); move it aside after checking the host by hand" % path)


def write_json(path, document):
    """Replace ``path`` atomically: a crash leaves the old or the new document, never half of one."""
    directory = os.path.dirname(path)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.rename(tmp, path)
    except Exception:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


class locked(object):
    """Exclusive flock on the journal's lock file for one read-modify-write (seconds, not the run)."""

    def __init__(self, path, timeout=30):
        self.path = path
        self.timeout = timeout
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        deadline = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES) or time.time() > deadline:
                    os.close(self.fd)
                    raise JournalError("journal lock %s is held by another process for over %ds" % (self.path, self.timeout))
                time.sleep(0.2)

    def __exit__(self, *exc):
        os.close(self.fd)


def _working_directory(proc, pid):
    try:
        return os.readlink(os.path.join(proc, pid, "cwd"))
    except (IOError, OSError):
        return ""


def _within_root(path, root):
    # A release beside the root (/opt/nautobot-3.2.7 for /opt/nautobot) counts as the root's.
    root = root.rstrip("/")
    return path == root or path.startswith((root + "/", root + "-"))


def busy_processes(root, proc="/proc", own_pids=(), also=()):
    """Processes of an upgrade of ``root`` still running on the host: a migrate, post_upgrade or
    pip of a controller that is gone goes on, and a run must not start beside it. Found by their
    command line naming ``root``, or their working directory in it; or by a prefix in ``also``
    (where releases are built: ``/srv/releases/nautobot-``, ``/var/lib/nautobot-ops/``) in either."""
    prefixes = [prefix for prefix in also if prefix]
    found = []
    # A shell is how the backup and the restore run (pg_dump and pg_restore are its children), and
    # the database clients outlive it when it is killed: a psql still replaying a restore is found by
    # the working directory it inherited (the root).
    pattern = re.compile(r"(nautobot-server\b.*\b(migrate|post_upgrade|collectstatic|shell)\b|/pip\b.*\binstall\b"
                         r"|^(\S*/)?(psql|pg_restore|pg_dump)\b)")
    try:
        pids = [p for p in os.listdir(proc) if p.isdigit()]
    except OSError:
        return found
    for pid in pids:
        if int(pid) in own_pids:
            continue
        try:
            with open(os.path.join(proc, pid, "cmdline"), "rb") as handle:
                argv = handle.read().split(b"\0")
        except (IOError, OSError):
            continue
        command = " ".join(a.decode("utf-8", "replace") for a in argv if a)
        if not pattern.search(command):
            continue
        cwd = _working_directory(proc, pid)
        if root in command or _within_root(cwd, root) or any(p in command or cwd.startswith(p) for p in prefixes):
            found.append("%s %s" % (pid, command[:200]))
    return found


def new_document(root):
    return {"version": VERSION, "root": root, "lock": None, "upgrade": None, "last": None}


def acquire(document, run_id, holder, lease, now, busy):
    """Take the lock for ``run_id``. Returns (document, taken_over_from) or raises JournalError
    naming the holder. ``busy`` is the list of upgrade processes running on the host."""
    lock = document.get("lock")
    taken_over = None
    if lock and lock.get("run_id") != run_id:
        if lock.get("lease_until", 0) > now or busy:
            raise JournalError(
                "another upgrade run holds this host: run %s by %s since %s, phase %s, lease until %s%s. "
                "Wait for it to end; if its controller is gone, the lease runs out at the time named "
                "and the next run takes over."
                % (
                    lock.get("run_id"),
                    lock.get("holder"),
                    _iso(lock.get("since")),
                    (document.get("upgrade") or {}).get("phase", "none"),
                    _iso(lock.get("lease_until")),
                    ("; still running: " + " | ".join(busy)) if busy else "",
                )
            )
        taken_over = lock
    if not lock or taken_over:
        document["lock"] = {"run_id": run_id, "holder": holder, "since": now}
    document["lock"]["lease_until"] = now + lease
    if taken_over:
        document["lock"]["taken_over_from"] = {k: taken_over.get(k) for k in ("run_id", "holder", "since", "lease_until")}
    return document, taken_over


def check_holder(document, run_id):
    lock = document.get("lock") or {}
    if lock.get("run_id") != run_id:
        raise JournalError(
            "this run (%s) no longer holds the journal: %s"
            % (run_id, "run %s by %s took it over" % (lock.get("run_id"), lock.get("holder")) if lock else "it was released")
        )


def record(document, run_id, lease, now, fields, phase=None):
    """Merge ``fields`` into the open upgrade (opening one if there is none) and renew the lease."""
    check_holder(document, run_id)
    upgrade = document.get("upgrade") or {"opened_at": now, "opened_by": run_id, "phases": []}
    upgrade.update(fields)
    if phase:
        upgrade["phase"] = phase
        upgrade.setdefault("phases", []).append([phase, round(now, 1), run_id])
    document["upgrade"] = upgrade
    document["lock"]["lease_until"] = now + lease
    return document


def release(document, run_id, now, close=False, outcome=None):
    """Drop the lock; with ``close`` the upgrade is over (``outcome`` says how) and kept as ``last``."""
    check_holder(document, run_id)
    document["lock"] = None
    if close and document.get("upgrade"):
        upgrade = document["upgrade"]
        upgrade.update({"closed_at": now, "outcome": outcome or "closed"})
        document["last"] = upgrade
        document["upgrade"] = None
    return document


def _iso(timestamp):
    if not timestamp:
        return "unknown"
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
