"""The layers point one way: create_app -> areas -> shared modules -> api; the sandbox apart.

Read from the source with `ast`, so a new module is held to the rule the day it is written.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parents[1] / "portal"
# Modules above the areas: they wire or start the app, so they may import every area.
WIRING = {"portal", "portal.cli", "portal.wsgi"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every module source imports (relative imports resolved), at any depth of the file."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


MODULES = {
    module_name(path): imported(
        path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
    )
    for path in sorted(PORTAL.rglob("*.py"))
}


@cache
def areas() -> frozenset[str]:
    """The area packages: those whose blueprints create_app registers."""
    from portal import create_app

    app = create_app({"TESTING": True, "TI_BASE_URL": "http://127.0.0.1:9", "REDIS_URL": None})
    return frozenset(bp.import_name.split(".")[1] for bp in app.blueprints.values())


def area_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "portal" and parts[1] in areas() else None


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_every_learner_area_is_a_registered_blueprint_package():
    assert {"auth", "dashboard", "certificates", "badges", "account", "catalog", "site"} <= areas()
    for area in areas():
        assert (PORTAL / area / "views.py").exists(), f"portal/{area} has no views.py"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_an_area_imports_no_other_area(module):
    own = area_of(module)
    if module in WIRING:
        return
    crossing = sorted(name for name in MODULES[module] if area_of(name) and area_of(name) != own)
    where = f"area {own}" if own else "a shared module"
    assert not crossing, f"{module} ({where}) imports {crossing}: move what both need down"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_api_package_imports_gql(module):
    if in_package(module, "portal.api"):
        return
    gql = sorted(name for name in MODULES[module] if in_package(name, "gql"))
    assert not gql, f"{module} imports {gql}: only portal.api talks to the TI API"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_the_sandbox_and_the_portal_never_import_each_other(module):
    sandbox = in_package(module, "portal.sandbox")
    others = sorted(
        name
        for name in MODULES[module]
        if name.startswith("portal") and in_package(name, "portal.sandbox") != sandbox
    )
    # The command line starts the sandbox for `portal demo` and `portal sandbox`, on demand.
    if module == "portal.cli":
        others = [name for name in others if not in_package(name, "portal.sandbox")]
    # The sandbox is its own package inside portal/: `portal` itself is its parent, not a layer.
    others = [name for name in others if name != "portal"]
    assert not others, f"{module} imports {others}"


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        (
            "def later():\n    from portal.certificates import present\n",
            "portal.badges.views",
            "portal.certificates.present",
        ),
        (
            "from ..certificates.present import summary\n",
            "portal.badges.views",
            "portal.certificates.present",
        ),
        ("from .present import x\n", "portal.badges.views", "portal.badges.present"),
        ("import gql.transport\n", "portal.formats", "gql.transport"),
    ],
)
def test_the_walk_sees_late_and_relative_imports(source, module, expected):
    assert expected in imported(source, module)
    assert area_of("portal.certificates.present") == "certificates"
    assert area_of("portal.formats") is None
