"""The one reader of Terraform's saved plan file format (a zip: tfplan protobuf, tfstate, lock file).

Only platform_cli.core.saved_plan calls this; everything else reads plans through that module.

Why read the file at all:
`terraform show -json` has to start the provider to load its schema (about 3 s for hashicorp/aws), which would
add more to every `platformctl plan` than the 10% overhead budget allows. The counts and changed addresses do not
need schemas: they are plain fields of the plan's protobuf message (Terraform's planfile.proto), so we decode
just those. We accept only the plan format version we know (Plan.version) and return None otherwise; callers
then fall back to `terraform show -json`. tests/cli cross-check this against `terraform show -json`.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KNOWN_FORMAT_VERSIONS = {3}

# planfile.proto enum Action -> the action lists `terraform show -json` uses.
_ACTIONS = {
    0: ["no-op"],
    1: ["create"],
    2: ["read"],
    3: ["update"],
    5: ["delete"],
    6: ["delete", "create"],
    7: ["create", "delete"],
    8: ["forget"],
    9: ["create", "forget"],
}
# Field numbers from planfile.proto (format version 3).
_PLAN_VERSION, _PLAN_RESOURCE_CHANGES, _PLAN_OUTPUT_CHANGES, _PLAN_TF_VERSION, _PLAN_ERRORED = 1, 3, 4, 14, 20
_PLAN_RESOURCE_DRIFT = 18
_RIC_ADDR, _RIC_PREV_RUN_ADDR, _RIC_DEPOSED = 13, 14, 7
_RIC_CHANGE_FIELDS = (9, 6)  # ResourceInstanceChange.change: 9 in current Terraform, 6 in older releases
_CHANGE_ACTION, _CHANGE_IMPORTING = 1, 5
_OUTPUT_NAME, _OUTPUT_CHANGE = 1, 2


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[i]
        i += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, i


def _fields(buf: bytes) -> Iterator[tuple[int, int, Any]]:
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            size, i = _varint(buf, i)
            value, i = buf[i : i + size], i + size
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _change(buf: bytes) -> tuple[list[str], bool]:
    action, importing = 0, False
    for number, wire, value in _fields(buf):
        if number == _CHANGE_ACTION and wire == 0:
            action = value
        elif number == _CHANGE_IMPORTING and wire == 2:
            importing = True
    return _ACTIONS.get(action, [f"unknown-{action}"]), importing


def read_plan_summary(plan_file: Path) -> dict[str, Any] | None:
    """{"resource_changes", "resource_drift", "output_changes", "terraform_version", "errored"} in show -json shape
    (addresses, previous addresses of moved resources, actions, importing; no values), or None when the plan
    format is not one we know."""
    try:
        with zipfile.ZipFile(plan_file) as zf:
            raw = zf.read("tfplan")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    try:
        version, tf_version, errored = None, None, False
        resource_changes: list[dict[str, Any]] = []
        resource_drift: list[dict[str, Any]] = []
        output_changes: dict[str, Any] = {}
        for number, wire, value in _fields(raw):
            if number == _PLAN_VERSION and wire == 0:
                version = value
            elif number == _PLAN_TF_VERSION and wire == 2:
                tf_version = value.decode()
            elif number == _PLAN_ERRORED and wire == 0:
                errored = bool(value)
            elif number in (_PLAN_RESOURCE_CHANGES, _PLAN_RESOURCE_DRIFT) and wire == 2:
                addr, previous, deposed, actions, importing = None, None, "", ["no-op"], False
                for n, w, v in _fields(value):
                    if n == _RIC_ADDR and w == 2:
                        addr = v.decode()
                    elif n == _RIC_PREV_RUN_ADDR and w == 2:
                        previous = v.decode()
                    elif n == _RIC_DEPOSED and w == 2:
                        deposed = v.decode()
                    elif n in _RIC_CHANGE_FIELDS and w == 2:
                        actions, importing = _change(v)
                if addr is None:
                    return None
                entry: dict[str, Any] = {"address": addr, "change": {"actions": actions}}
                if previous and previous != addr:  # a moved resource: show -json's previous_address
                    entry["previous_address"] = previous
                if importing:
                    entry["change"]["importing"] = {}
                if deposed:
                    entry["deposed"] = deposed
                (resource_changes if number == _PLAN_RESOURCE_CHANGES else resource_drift).append(entry)
            elif number == _PLAN_OUTPUT_CHANGES and wire == 2:
                name, actions = None, ["no-op"]
                for n, w, v in _fields(value):
                    if n == _OUTPUT_NAME and w == 2:
                        name = v.decode()
                    elif n == _OUTPUT_CHANGE and w == 2:
                        actions, _ = _change(v)
                if name:
                    output_changes[name] = {"actions": actions}
    except (ValueError, IndexError, UnicodeDecodeError):
        return None
    if version not in KNOWN_FORMAT_VERSIONS or any(
        a[0].startswith("unknown") for rc in resource_changes for a in [rc["change"]["actions"]]
    ):
        return None
    return {
        "resource_changes": resource_changes,
        "resource_drift": resource_drift,
        "output_changes": output_changes,
        "terraform_version": tf_version,
        "errored": errored,
    }


def read_plan_facts(plan_file: Path) -> dict[str, Any]:
    """State serial/lineage and outputs the plan was made against, and the provider versions locked into it.

    The zip holds the prior state snapshot (tfstate: refreshed values, but the serial and lineage of the stored
    state it was read from) and the dependency lock file, so these come without another Terraform run.
    (tfstate-prev carries no serial/lineage.)
    """
    facts: dict[str, Any] = {"state_serial": None, "state_lineage": None, "providers": {}, "outputs": {}}
    with zipfile.ZipFile(plan_file) as zf:
        names = set(zf.namelist())
        if "tfstate" in names:
            state = json.loads(zf.read("tfstate") or b"{}")
            if state.get("lineage"):
                facts["state_serial"] = state.get("serial")
                facts["state_lineage"] = state.get("lineage")
                facts["outputs"] = {k: v.get("value") for k, v in (state.get("outputs") or {}).items()}
        if ".terraform.lock.hcl" in names:
            lock = zf.read(".terraform.lock.hcl").decode()
            for m in re.finditer(r'provider\s+"([^"]+)"\s*\{[^}]*?version\s*=\s*"([^"]+)"', lock, re.S):
                facts["providers"][m.group(1)] = m.group(2)
    return facts
