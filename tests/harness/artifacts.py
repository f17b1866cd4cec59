"""Artifacts of one workflow run: a folder per artifact name, with the path rules of actions/upload-artifact (v4+)
and actions/download-artifact (v5+), as their READMEs document them.

Upload: `path` is one or more lines of files, directories or globs (`!` excludes); the artifact's root is the
least common ancestor of the search paths (several paths), a single file's directory, or the part of a pattern
before its first wildcard. Hidden files (a name starting with `.`, or inside such a folder) are left out unless
include-hidden-files is true. An existing name is refused unless overwrite is true. Download: by `name` into
`path` directly; without a name every artifact matching `pattern` (all when no pattern), each into
`path/<name>/`, or all into `path` with merge-multiple, or directly into `path` when just one matches.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import shutil
from pathlib import Path

from .errors import UnsupportedAction

_WILDCARDS = set("*?[")


def _search_path(pattern: str) -> str:
    """The literal part of a pattern before its first wildcard segment (@actions/glob's search path)."""
    parts = Path(pattern).parts
    literal = []
    for part in parts:
        if _WILDCARDS & set(part):
            break
        literal.append(part)
    return str(Path(*literal)) if literal else os.sep


def _lca(paths: list[str]) -> str:
    split = [Path(p).parts for p in paths]
    common = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return str(Path(*common)) if common else os.sep


def _expand(pattern: str) -> list[str]:
    matches = glob.glob(pattern, recursive=True, include_hidden=True)
    files = []
    for match in matches:
        if os.path.isdir(match):
            for dirpath, _dirs, names in os.walk(match):
                files.extend(os.path.join(dirpath, n) for n in names)
        elif os.path.isfile(match):
            files.append(match)
    return files


def _hidden(file: str, workspace: Path) -> bool:
    path = Path(file)
    relative = path.relative_to(workspace) if path.is_relative_to(workspace) else path
    return any(part.startswith(".") for part in relative.parts)


def upload(store: Path, workspace: Path, inputs: dict[str, str]) -> dict[str, str]:
    name = inputs.get("name") or "artifact"
    if inputs.get("archive", "true") == "false":
        raise UnsupportedAction("upload-artifact: archive: false is not supported by the harness")
    lines = [line.strip() for line in inputs.get("path", "").splitlines() if line.strip()]
    if not lines:
        raise UnsupportedAction("upload-artifact: input 'path' is required")
    home = os.path.expanduser("~")
    absolute = [
        (line.startswith("!"), str((workspace / line.lstrip("!").replace("~", home, 1)).resolve())) for line in lines
    ]
    includes = [p for excluded, p in absolute if not excluded]
    excludes = [p for excluded, p in absolute if excluded]
    files = sorted({f for p in includes for f in _expand(p)})
    files = [f for f in files if not any(fnmatch.fnmatch(f, e) or f.startswith(e.rstrip("/") + "/") for e in excludes)]
    if inputs.get("include-hidden-files", "false") != "true":
        files = [f for f in files if not _hidden(f, workspace)]
    if not files:
        policy = inputs.get("if-no-files-found", "warn")
        if policy == "error":
            return {
                "error": f"No files were found with the provided path: {' '.join(lines)}. No artifacts will be uploaded."
            }
        return {"warning": "No files were found with the provided path; no artifact uploaded."}
    search_paths = [_search_path(p) for p in includes]
    if len(search_paths) > 1:
        root = _lca(search_paths)
    elif len(files) == 1 and files[0] == search_paths[0]:
        root = os.path.dirname(files[0])
    else:
        root = search_paths[0]
    target = store / name
    if target.exists():
        if inputs.get("overwrite", "false") != "true":
            return {"error": f"an artifact named {name!r} already exists in this run (set overwrite: true)"}
        shutil.rmtree(target)
    for file in files:
        destination = target / os.path.relpath(file, root)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, destination)
    return {"artifact-id": str(abs(hash(name)) % 10**9), "artifact-url": f"file://{target}", "artifact-digest": ""}


def download(store: Path, workspace: Path, inputs: dict[str, str]) -> dict[str, str]:
    if inputs.get("artifact-ids") or inputs.get("github-token") or inputs.get("run-id"):
        raise UnsupportedAction("download-artifact: artifact-ids, github-token and run-id are not supported")
    destination = (workspace / os.path.expanduser(inputs.get("path") or ".")).resolve()
    existing = sorted(p.name for p in store.iterdir()) if store.exists() else []
    name = inputs.get("name")
    if name:
        if name not in existing:
            return {"error": f"Unable to download artifact(s): Artifact not found for name: {name}"}
        _copy_tree(store / name, destination)
        return {"download-path": str(destination)}
    pattern = inputs.get("pattern")
    chosen = [n for n in existing if not pattern or fnmatch.fnmatchcase(n, pattern)]
    single = len(chosen) == 1
    for artifact in chosen:
        merged = single or inputs.get("merge-multiple", "false") == "true"
        _copy_tree(store / artifact, destination if merged else destination / artifact)
    return {"download-path": str(destination)}


def _copy_tree(source: Path, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, destination, dirs_exist_ok=True)
