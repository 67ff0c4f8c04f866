"""roles/upgrade/files/root_switch.sh: the renames that put another release in the root's place
(without NAUTOBOT_OPS_RELOAD_UNIT: the signal needs systemd, seen in molecule/cluster)."""

import pathlib
import subprocess

TOP = pathlib.Path(__file__).resolve().parents[5]
SCRIPT = TOP / "roles/upgrade/files/root_switch.sh"
ENTRIES = ["bin", "include", "lib", "lib64", "pyvenv.cfg", "share"]


def switch(*args):
    return subprocess.run(["sh", str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False)


def fake_venv(path, version):
    (path / "bin").mkdir(parents=True)
    (path / "lib").mkdir()
    python = path / "bin/python"
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    (path / "bin/nautobot-server").write_text(f"#!{path}/bin/python\n# {version}\n")
    (path / "pyvenv.cfg").write_text(f"command = python3 -m venv {path}\n")


def test_venv_layout_swaps_the_venv_and_keeps_the_site_files(tmp_path):
    root, new, park = tmp_path / "opt", tmp_path / "state/venv-new", tmp_path / "state/venv-old"
    fake_venv(root, "old")
    (root / "nautobot_config.py").write_text("SITE\n")
    fake_venv(new, "new")
    run = switch("venv", root, new, park, *ENTRIES)
    assert run.returncode == 0, run.stderr
    assert "switched" in run.stdout
    server = (root / "bin/nautobot-server").read_text()
    assert "# new" in server and f"#!{root}/bin/python" in server  # the build directory's name rewritten
    assert (root / "nautobot_config.py").read_text() == "SITE\n"
    assert "# old" in (park / "bin/nautobot-server").read_text()
    assert not new.exists()
    back = switch("venv", root, park, new, *ENTRIES)  # the rollback: the same call backwards
    assert back.returncode == 0 and "# old" in (root / "bin/nautobot-server").read_text()


def test_venv_layout_refuses_a_missing_venv_and_changes_nothing(tmp_path):
    root = tmp_path / "opt"
    fake_venv(root, "old")
    run = switch("venv", root, tmp_path / "nope", tmp_path / "park", *ENTRIES)
    assert run.returncode == 2 and "no venv at" in run.stderr
    assert "# old" in (root / "bin/nautobot-server").read_text() and not (tmp_path / "park").exists()


def test_release_layout_replaces_the_link_once(tmp_path):
    old, new, root = tmp_path / "nautobot-3.1.0", tmp_path / "nautobot-3.2.7", tmp_path / "nautobot"
    old.mkdir()
    new.mkdir()
    root.symlink_to(old)
    run = switch("release", root, new)
    assert run.returncode == 0 and run.stdout.startswith("switched")
    assert root.readlink() == new
    again = switch("release", root, new)
    assert again.returncode == 0 and again.stdout.startswith("unchanged") and "switched" not in again.stdout


def test_release_layout_refuses_a_missing_release(tmp_path):
    run = switch("release", tmp_path / "nautobot", tmp_path / "nope")
    assert run.returncode == 2 and "no release directory" in run.stderr


def test_unknown_layout_is_refused(tmp_path):
    run = switch("both", tmp_path, tmp_path)
    assert run.returncode == 2 and "unknown layout" in run.stderr
