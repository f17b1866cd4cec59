"""Generate the Inputs and Outputs tables of every module's and stack's README.md from its .tf files.

    python scripts/module_docs.py          rewrite the tables in place
    python scripts/module_docs.py --check  exit 1 naming every README whose tables are out of date (make test)

The README keeps everything a person wrote; only the text from `## Inputs` to the end of the `## Outputs` table
is generated, so the tables cannot drift from the code. Reads HCL with the `hcl2` module (bc-python-hcl2, which
checkov installs).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

REPO = Path(__file__).resolve().parents[1]
SECTION = re.compile(r"^## Inputs\n.*?^## Outputs\n.*?(?=^## |\Z)", re.S | re.M)


def _unwrap(value: Any) -> Any:
    """bc-python-hcl2 wraps attribute values in one-element lists and expressions in ${...}."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _expr(text: str) -> str:
    text = str(text)
    return text[2:-1] if text.startswith("${") and text.endswith("}") else text


def _type(text: str) -> str:
    """A type as HCL spells it. bc-python-hcl2 prints `object({ a = optional(number, 1) })` as a Python dict literal,
    `object({'a': '${optional(number,1)}'})`, nested ones escaped inside; this turns it back. (map(object(...)) and
    the like keep hcl2's form.)"""
    text = _expr(text)
    if text.startswith("object(") and text.endswith(")"):
        fields = ast.literal_eval(text[len("object(") : -1])
        return "object({ " + ", ".join(f"{k} = {_type(v)}" for k, v in fields.items()) + " })"
    if text.startswith("optional(") and text.endswith(")"):
        inner, _, default = _split_default(text[len("optional(") : -1])
        default = {"True": "true", "False": "false", "None": "null"}.get(default, default)
        return f"optional({_type(inner)}" + (f", {default}" if default else "") + ")"
    return text


def _split_default(text: str) -> tuple[str, str, str]:
    """`number,1024` -> ("number", ",", "1024"): the first comma outside brackets and quotes."""
    depth, quoted = 0, False
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        elif char == "," and depth == 0 and not quoted:
            return text[:i], ",", text[i + 1 :]
    return text, "", ""


def _cell(text: str) -> str:
    # hcl2 keeps HCL's escaped quotes; a table cell may not contain a bare pipe.
    return " ".join(str(text).replace('\\"', '"').split()).replace("|", "\\|")


def _default(body: dict[str, Any]) -> str:
    if "default" not in body:
        return "n/a"
    value = _unwrap(body["default"])
    if isinstance(value, str) and value.startswith("${"):
        return f"`{_cell(_expr(value))}`"
    return f"`{_cell(json.dumps(value))}`"


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as handle:
        parsed = hcl2.load(handle)
    return [next(iter(block.items())) for block in parsed.get(kind, [])]


def tables(module_dir: Path) -> str:
    lines = ["## Inputs", "", "| Name | Description | Type | Default | Required |", "|---|---|---|---|---|"]
    for name, body in _blocks(module_dir / "variables.tf", "variable"):
        type_ = _cell(_type(_unwrap(body.get("type", "any"))))
        description = _cell(_unwrap(body.get("description", "")))
        required = "yes" if "default" not in body else "no"
        lines.append(f"| `{name}` | {description} | `{type_}` | {_default(body)} | {required} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, body in _blocks(module_dir / "outputs.tf", "output"):
        lines.append(f"| `{name}` | {_cell(_unwrap(body.get('description', '')))} |")
    return "\n".join(lines) + "\n\n"


def documented_dirs() -> list[Path]:
    return sorted(p for p in [*REPO.glob("modules/*"), *REPO.glob("infra/*")] if (p / "variables.tf").is_file())


def render(readme: str, module_dir: Path) -> str:
    generated = tables(module_dir)
    if SECTION.search(readme):
        return SECTION.sub(lambda _: generated, readme, count=1).rstrip("\n") + "\n"
    return readme.rstrip("\n") + "\n\n" + generated.rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any README is out of date")
    args = parser.parse_args(argv)
    stale = []
    for module_dir in documented_dirs():
        readme_path = module_dir / "README.md"
        current = readme_path.read_text(encoding="utf-8") if readme_path.is_file() else f"# {module_dir.name}\n"
        wanted = render(current, module_dir)
        if wanted != current:
            stale.append(readme_path.relative_to(REPO))
            if not args.check:
                readme_path.write_text(wanted, encoding="utf-8")
    if args.check and stale:
        print("README tables out of date (run `make docs-tables`): " + ", ".join(map(str, stale)), file=sys.stderr)
        return 1
    if not args.check:
        print(f"updated {len(stale)} README(s)" if stale else "README tables up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
