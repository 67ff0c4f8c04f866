"""Every role entry point is specified, and its defaults, spec and README stay in step."""

import pathlib
import subprocess
import sys

import pytest
import yaml

TOP = pathlib.Path(__file__).resolve().parents[2]
ROLES = sorted(p.parent.parent for p in TOP.glob("roles/*/meta/argument_specs.yml"))


def load(path):
    return yaml.safe_load(path.read_text()) if path.exists() else {}


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_entry_point_has_tasks(role):
    for entry in load(role / "meta/argument_specs.yml")["argument_specs"]:
        assert (role / "tasks" / f"{entry}.yml").exists()


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_defaults_match_argument_specs(role):
    defaults = load(role / "defaults/main.yml")
    options = {}
    for spec in load(role / "meta/argument_specs.yml")["argument_specs"].values():
        options.update(spec.get("options", {}))
    # A required option has no default, or the spec could never report it missing.
    assert set(defaults) == {name for name, option in options.items() if not option.get("required")}
    for name, value in defaults.items():
        assert name.startswith(f"{role.name}_"), f"{name} lacks the {role.name}_ prefix"
        assert options[name].get("default") == value, f"{name}: default {value!r} differs from the spec"


def test_role_readmes_generated_from_specs():
    run = subprocess.run([sys.executable, str(TOP / "tests/argspec_docs.py"), "--check"], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout
