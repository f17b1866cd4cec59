"""Provider source resolution: an existing CLI config wins, then -plugin-dir, then a mirror we find ourselves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from platform_cli.core import tfconfig
from platform_cli.core.paths import Paths


def _paths(tmp_path) -> Paths:
    return Paths(tmp_path / "repo", tmp_path / "work")


def test_an_existing_cli_config_file_is_respected(tmp_path, monkeypatch):
    rc = tmp_path / "mine.rc"
    rc.write_text('plugin_cache_dir = "/somewhere"\n')
    source = tfconfig.resolve(_paths(tmp_path), environ={"TF_CLI_CONFIG_FILE": str(rc)})
    assert source.cli_config == rc and source.env() == {"TF_CLI_CONFIG_FILE": str(rc)}
    assert not (tmp_path / "work" / "terraform.rc").exists()


def test_a_cli_config_env_var_naming_a_missing_file_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr(tfconfig, "known_mirror_locations", lambda: [Path("/opt/tf-plugins")])
    source = tfconfig.resolve(_paths(tmp_path), environ={"TF_CLI_CONFIG_FILE": str(tmp_path / "absent.rc")})
    assert source.cli_config == tmp_path / "work" / "terraform.rc"
    text = source.cli_config.read_text()
    assert 'path    = "/opt/tf-plugins"' in text
    assert f'plugin_cache_dir = "{tmp_path / "work" / "plugin-cache"}"' in text
    assert source.has_provider("hashicorp/aws")


def test_plugin_dir_setting_becomes_terraform_init_plugin_dir(tmp_path):
    source = tfconfig.resolve(
        _paths(tmp_path),
        environ={"TF_CLI_CONFIG_FILE": str(tmp_path / "absent.rc"), tfconfig.PLUGIN_DIR_ENVVAR: "/opt/tf-plugins"},
    )
    assert source.init_args() == ["-plugin-dir=/opt/tf-plugins"]
    assert "filesystem_mirror" not in source.cli_config.read_text()


def test_module_entry_point_prints_the_config_path_for_the_makefile(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PLATFORMCTL_WORK_DIR": str(tmp_path / "w"),
        "TF_CLI_CONFIG_FILE": str(tmp_path / "absent.rc"),
    }
    out = subprocess.run(
        [sys.executable, "-m", "platform_cli.core.tfconfig"], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == str(tmp_path / "w" / "terraform.rc")
    assert Path(out.stdout.strip()).is_file()


@pytest.mark.real
@pytest.mark.skipif(not Path("/opt/tf-plugins/registry.terraform.io/hashicorp/aws").is_dir(), reason="needs the mirror")
def test_an_init_without_a_lock_file_leaves_the_cached_provider_in_place(tmp_path, monkeypatch):
    """A plan elsewhere reads the cache through a link; an init that re-installed the entry would pull it away."""
    monkeypatch.setattr(tfconfig, "known_mirror_locations", lambda: [Path("/opt/tf-plugins")])
    source = tfconfig.resolve(_paths(tmp_path), environ={})
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **source.env()}
    entry = tmp_path / "work" / "plugin-cache" / "registry.terraform.io" / "hashicorp" / "aws"
    identities = []
    for name in ("first", "second"):
        time.sleep(0.05)  # a re-created link would show a later mtime
        root = tmp_path / name
        root.mkdir()
        (root / "main.tf").write_text(
            'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws" }\n  }\n}\n'
        )
        subprocess.run(
            ["terraform", "init", "-input=false", "-no-color"], cwd=root, env=env, check=True, capture_output=True
        )
        (platform_dir,) = entry.glob("*/linux_amd64")
        identities.append((platform_dir.lstat().st_ino, platform_dir.lstat().st_mtime_ns))
    assert identities[0] == identities[1]
