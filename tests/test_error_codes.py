"""The README's table of error codes is the set of codes the hub can produce: read from the
source (every `code = "…"` of an error class or assignment, every literal code handed to
`graphql_error`, a `Refusal` or an `extensions` dict), so a new code without its README line
fails here, and so does a line for a code that no longer exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
CODE = re.compile(r"^[A-Z][A-Z_]{4,}$")
# Statuses, enum values and settings that look like codes but are never sent as one.
NOT_CODES = {"RUNNING", "FAILED", "DONE", "STALLED"}


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
        return node.value
    return None


def _codes_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            name = target.id if isinstance(target, ast.Name) else None
            if name in ("code", "INTERNAL") and (value := _literal(node.value)):
                found.add(value)
        elif isinstance(node, ast.Call):
            callee = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            wanted = callee in ("graphql_error", "Refusal") and len(node.args) > 1
            if wanted and (value := _literal(node.args[1])):
                found.add(value)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "code"
                    and (code := _literal(value))
                ):
                    found.add(code)
    return found - NOT_CODES


def produced() -> set[str]:
    codes: set[str] = set()
    for package in ("hub", "schema"):
        for path in (ROOT / package).rglob("*.py"):
            codes |= _codes_in(ast.parse(path.read_text(encoding="utf-8")))
    return codes


def documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Error codes", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.M))


def test_the_readme_lists_exactly_the_codes_the_hub_can_produce():
    code, readme = produced(), documented()
    assert code - readme == set(), "codes missing from the README's table"
    assert readme - code == set(), "codes in the README's table that nothing produces"


def test_the_scan_finds_codes_of_every_kind():
    """The scan itself: an error class, a transport refusal, a persisted-query refusal."""
    assert {
        "CURSOR_EXPIRED",
        "BATCH_NOT_SUPPORTED",
        "OPERATION_NOT_ALLOWED",
        "INTERNAL_SERVER_ERROR",
    } <= produced()
