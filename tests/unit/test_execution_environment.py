"""execution-environment.yml: ansible-builder accepts it and the context it makes installs this
collection, at the version galaxy.yml declares."""

import pathlib
import shutil
import subprocess
import sys

import yaml

TOP = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def test_builder_makes_a_context_that_installs_this_collection(tmp_path):
    galaxy = yaml.safe_load((TOP / "galaxy.yml").read_text())
    tarball = f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"
    shutil.copy(TOP / "execution-environment.yml", tmp_path)
    subprocess.run(
        [BIN / "ansible-galaxy", "collection", "build", "--output-path", tmp_path / ".build", TOP],
        check=True, capture_output=True,
    )
    subprocess.run(
        [BIN / "ansible-builder", "create", "--file", tmp_path / "execution-environment.yml", "--context", tmp_path / "ee"],
        check=True, capture_output=True,
    )
    assert (tmp_path / "ee/_build/nautobot_ops" / tarball).is_file()
    requirements = yaml.safe_load((tmp_path / "ee/_build/requirements.yml").read_text())
    assert requirements["collections"] == [{"name": f"/tmp/nautobot_ops/{tarball}", "type": "file"}]
    assert "ansible-galaxy collection install" in (tmp_path / "ee/Dockerfile").read_text()
