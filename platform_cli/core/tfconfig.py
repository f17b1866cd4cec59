"""Where Terraform gets its providers: one CLI config, one plugin cache shared by every environment.

Resolution order (first match wins):
  1. an existing CLI config the user already has: TF_CLI_CONFIG_FILE (if that file exists) or ~/.terraformrc;
  2. PLATFORMCTL_PLUGIN_DIR: passed to `terraform init` as -plugin-dir (Terraform's own offline switch);
  3. a filesystem mirror at a well-known location (/opt/tf-plugins, ~/.terraform.d/plugins,
     /usr/local/share/terraform/plugins): .platformctl/terraform.rc gets a filesystem_mirror block;
  4. otherwise the registry, direct.
In cases 2-4 we write .platformctl/terraform.rc with a plugin_cache_dir so all environments share one cache, and
point TF_CLI_CONFIG_FILE at it. A TF_CLI_CONFIG_FILE naming a file that does not exist is ignored (Terraform would
only warn and fall back to the registry, which is unreachable offline).

`python -m platform_cli.core.tfconfig` writes the file if needed and prints the config path, so the Makefile can
export TF_CLI_CONFIG_FILE for plain `terraform test`.
"""

from __future__ import annotations

import fcntl
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .paths import Paths

PLUGIN_DIR_ENVVAR = "PLATFORMCTL_PLUGIN_DIR"


@contextmanager
def init_lock() -> Iterator[None]:
    """Serialise `terraform init` on this machine: every work dir may share one provider plugin cache, which
    Terraform does not guard against concurrent inits (seen: a provider link pointing at a half-written cache
    entry), and environments share their stack's .terraform.lock.hcl. Anything that runs init holds this."""
    with open(Path(tempfile.gettempdir()) / "platformctl-terraform-init.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def known_mirror_locations() -> list[Path]:
    return [
        Path("/opt/tf-plugins"),
        Path.home() / ".terraform.d" / "plugins",
        Path("/usr/local/share/terraform/plugins"),
    ]


@dataclass(frozen=True)
class ProviderSource:
    cli_config: Path | None  # the CLI config Terraform should read (None: Terraform's own default)
    plugin_dir: Path | None  # passed to init as -plugin-dir
    mirror: Path | None
    description: str

    def env(self) -> dict[str, str]:
        return {"TF_CLI_CONFIG_FILE": str(self.cli_config)} if self.cli_config else {}

    def local_dirs(self) -> list[Path]:
        """Directories Terraform may install providers from without the network (mirror, -plugin-dir, cache)."""
        dirs = [p for p in (self.mirror, self.plugin_dir) if p]
        if self.cli_config and self.cli_config.is_file():
            text = self.cli_config.read_text(encoding="utf-8", errors="replace")
            dirs += [Path(m) for m in re.findall(r'plugin_cache_dir\s*=\s*"([^"]+)"', text)]
            for block in re.findall(r"filesystem_mirror\s*\{([^}]*)\}", text):
                dirs += [Path(m) for m in re.findall(r'path\s*=\s*"([^"]+)"', block)]
        return dirs

    def has_provider(self, namespace_type: str = "hashicorp/aws") -> bool:
        return any(d.is_dir() and any(d.glob(f"*/{namespace_type}/*")) for d in self.local_dirs())

    def init_args(self) -> list[str]:
        return [f"-plugin-dir={self.plugin_dir}"] if self.plugin_dir else []


def _has_providers(directory: Path) -> bool:
    try:
        return any(directory.glob("*/*/*"))  # hostname/namespace/type
    except OSError:
        return False


def _render(cache_dir: Path, mirror: Path | None) -> str:
    lines = [f'plugin_cache_dir = "{cache_dir}"']
    if mirror:
        # Without this, every init of a root with no lock entry yet (a module's `terraform test`, a fresh clone)
        # re-installs the cached provider (remove, then re-link), and a plan running meanwhile elsewhere finds no
        # provider. From a mirror the lock records the same single h1 hash either way, so nothing is given up.
        lines += ["plugin_cache_may_break_dependency_lock_file = true"]
        lines += [
            "provider_installation {",
            "  filesystem_mirror {",
            f'    path    = "{mirror}"',
            '    include = ["registry.terraform.io/*/*"]',
            "  }",
            "  direct {",
            '    exclude = ["registry.terraform.io/*/*"]',
            "  }",
            "}",
        ]
    return "# Written by platformctl (core/tfconfig.py); regenerated when it differs.\n" + "\n".join(lines) + "\n"


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def resolve(paths: Paths, environ: Mapping[str, str] | None = None) -> ProviderSource:
    environ = os.environ if environ is None else environ
    configured = environ.get("TF_CLI_CONFIG_FILE")
    if configured and Path(configured).is_file():
        return ProviderSource(Path(configured), None, None, f"CLI config {configured} (TF_CLI_CONFIG_FILE)")
    home_rc = Path.home() / ".terraformrc"
    if not configured and home_rc.is_file():
        return ProviderSource(home_rc, None, None, f"CLI config {home_rc}")

    cache_dir = paths.plugin_cache_dir
    cache_dir.mkdir(parents=True, exist_ok=True)
    plugin_dir = environ.get(PLUGIN_DIR_ENVVAR)
    if plugin_dir:
        _write_if_changed(paths.cli_config_file, _render(cache_dir, None))
        return ProviderSource(
            paths.cli_config_file, Path(plugin_dir), None, f"-plugin-dir {plugin_dir} ({PLUGIN_DIR_ENVVAR})"
        )
    mirror = next((m for m in known_mirror_locations() if m.is_dir() and _has_providers(m)), None)
    _write_if_changed(paths.cli_config_file, _render(cache_dir, mirror))
    if mirror:
        return ProviderSource(paths.cli_config_file, None, mirror, f"filesystem mirror {mirror}, cache {cache_dir}")
    return ProviderSource(paths.cli_config_file, None, None, f"registry (no mirror found), cache {cache_dir}")


def main(argv: list[str] | None = None) -> int:
    source = resolve(Paths.discover())
    print(source.cli_config or "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
