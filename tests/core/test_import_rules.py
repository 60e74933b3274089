"""The architecture's import rules, read from the code's own syntax trees (every import
statement counts, also inside functions and under ``TYPE_CHECKING``):

1. the core (``yipin/``) imports no domain package, and loads no module by name;
2. only the composition root (``wsgi.py``) imports a domain's ``domain`` module;
3. a domain writes only its own tables: it constructs, inserts, updates or deletes no row of
   another domain's models (it calls that domain's actions, or emits its own outbox topic);
4. a domain emits only its own outbox topics (``<domain>.<event>``);
5. a domain reads the models only of domains on its floor or below (see ``FLOORS``): the
   catalog does not reach up into orders or fulfillment.

The domains are those the composition root lists, so a new one is checked as soon as it is
added there.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa

import wsgi
from yipin.db import Base

ROOT = Path(__file__).resolve().parents[2]
CORE = "yipin"
DOMAINS = [domain.name for domain in wsgi.DOMAINS]

# Who may read whose models: a domain reads the models of domains on its floor or below. The
# core (floor 0) is checked by rule 1. Same-floor domains know each other (a supplier sells
# products of categories; a product is a supplier's).
FLOORS = {
    "suppliers": 1,
    "catalog": 1,
    "fulfillment": 2,  # warehouses and stock of the catalog's variants
    "orders": 2,  # orders of the catalog's variants from suppliers
    "search": 2,  # an index of the catalog
    "reports": 3,  # rollups, reports, rewards and settlement over the orders' sales ledger
    "storefront": 3,  # pages over the domains
    "console": 3,
    "bureau": 3,
}

# Known breaches, each with the work that removes it: (file, rule, what).
KNOWN: set[tuple[str, str, str]] = {
    # The SQL search engine reads the listings' read model (``storefront_cards``: visibility,
    # brand span, county, storage, price, seasons) instead of asking the catalog per match.
    # That table is a projection of the catalog and suppliers only: it moves down into
    # ``catalog`` (with ``storefront/readmodel.py``'s hooks), and this line goes.
    ("search/fallback.py", "reads up", "storefront.models"),
}


@dataclass(frozen=True)
class Imported:
    module: str  # the module named by the statement: "catalog.models" in ``from catalog.models
    name: str | None  # import Product``; name "Product"; None for ``import x`` / module aliases
    bound: str  # the local name the statement binds
    line: int


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _files(package: str, root: Path = ROOT) -> list[Path]:
    return sorted((root / package).rglob("*.py"))


def _imports(tree: ast.AST) -> list[Imported]:
    found = []
    for node in ast.walk(tree):  # every statement, also inside functions and TYPE_CHECKING
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                found.append(Imported(alias.name, None, bound, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module, f"relative import at line {node.lineno}"
            for alias in node.names:
                found.append(
                    Imported(node.module, alias.name, alias.asname or alias.name, node.lineno)
                )
    return found


def _top(module: str) -> str:
    return module.split(".")[0]


def _is_models(imported: Imported) -> bool:
    """Does the statement bring in (something of) a package's ``models``?"""
    parts = imported.module.split(".")
    return "models" in parts[1:2] or (len(parts) == 1 and imported.name == "models")


def _resolve(imported: Imported) -> Any:
    module = importlib.import_module(imported.module)
    if imported.name is None:
        return module
    return getattr(module, imported.name, None) or importlib.import_module(
        f"{imported.module}.{imported.name}"
    )


def _is_table(obj: Any) -> bool:
    return isinstance(obj, sa.Table) or (isinstance(obj, type) and issubclass(obj, Base))


# ----------------------------------------------------------------------------- the rules


def _core_breaches(root: Path = ROOT) -> list[str]:
    breaches = []
    for path in _files(CORE, root):
        where = path.relative_to(root)
        tree = ast.parse(path.read_text(), str(path))
        for imported in _imports(tree):
            modules = {imported.module}
            if imported.name:
                modules.add(f"{imported.module}.{imported.name}")
            if any(_top(m) in DOMAINS or m == "wsgi" for m in modules):
                breaches.append(f"{where}:{imported.line} imports {imported.module}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in ("import_module", "__import__"):
                    breaches.append(f"{where}:{node.lineno} loads a module by name")
    return breaches


def test_the_core_imports_no_domain_and_loads_no_module_by_name():
    breaches = _core_breaches()
    assert not breaches, "\n".join(breaches)


def test_only_the_composition_root_imports_a_domains_plugin():
    breaches = []
    for package in [CORE, *DOMAINS]:
        for path in _files(package):
            for imported in _imports(ast.parse(path.read_text(), str(path))):
                target = f"{imported.module}.{imported.name}" if imported.name else imported.module
                if any(target.startswith(f"{d}.domain") for d in DOMAINS):
                    breaches.append(f"{path.relative_to(ROOT)}:{imported.line} imports {target}")
    assert not breaches, "\n".join(breaches)
    assert {d.name for d in wsgi.DOMAINS} == set(FLOORS), "give each domain a floor"


def _domain_breaches(root: Path = ROOT) -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for domain in DOMAINS:
        for path in _files(domain, root):
            where = str(path.relative_to(root))
            tree = ast.parse(path.read_text(), str(path))
            imports = _imports(tree)
            tables: dict[str, str] = {}  # local name → "other.Model" (another domain's rows)
            modules: dict[str, str] = {}  # local name → other domain (its models module)
            for imported in imports:
                other = _top(imported.module)
                if other not in DOMAINS or other == domain or not _is_models(imported):
                    continue
                if FLOORS[other] > FLOORS[domain]:
                    found.add((where, "reads up", f"{other}.models"))
                obj = _resolve(imported)
                if _is_table(obj):
                    tables[imported.bound] = f"{other}.{imported.name}"
                elif isinstance(obj, ModuleType):
                    modules[imported.bound] = other
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    found |= _writes(where, node, tables, modules)
                    found |= _emits(where, domain, node, root)
    return found


WRITING = {"insert", "update", "delete"}


def _model_named(node: ast.AST, tables: dict[str, str], modules: dict[str, str]) -> str | None:
    """ "other.Model" when ``node`` names another domain's model (``Model``, ``m.Model``,
    ``Model.__table__``)."""
    if isinstance(node, ast.Name):
        return tables.get(node.id)
    if isinstance(node, ast.Attribute):
        if node.attr == "__table__":
            return _model_named(node.value, tables, modules)
        if isinstance(node.value, ast.Name) and node.value.id in modules:
            models = importlib.import_module(f"{modules[node.value.id]}.models")
            obj = getattr(models, node.attr, None)
            if _is_table(obj):
                return f"{modules[node.value.id]}.{node.attr}"
    return None


def _writes(where: str, call: ast.Call, tables: dict[str, str], modules: dict[str, str]) -> set:
    named = _model_named(call.func, tables, modules)  # Model(...): a new row
    if named is None and isinstance(call.func, ast.Attribute) and call.func.attr in WRITING:
        if call.args:  # sa.insert(Model), sa.update(Model), sa.delete(Model)
            named = _model_named(call.args[0], tables, modules)
        if named is None:  # Model.__table__.insert(), a_table.delete()
            named = _model_named(call.func.value, tables, modules)
    return {(where, "writes", named)} if named else set()


def _emits(where: str, domain: str, call: ast.Call, root: Path) -> set:
    name = getattr(call.func, "attr", None) or getattr(call.func, "id", None)
    if name != "emit":
        return set()
    topic_node = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "topic":
            topic_node = keyword.value
    if isinstance(topic_node, ast.Constant):
        topic = topic_node.value
    elif isinstance(topic_node, ast.Name | ast.Attribute):  # a constant of the module
        topic = _module_constant(_module_name(root / where, root), topic_node)
    else:
        topic = None  # a variable: the call that chose it is checked where the topic is named
    if isinstance(topic, str) and topic.split(".")[0] != domain:
        return {(where, "emits", topic)}
    return set()


def _module_constant(module: str, node: ast.expr) -> Any:
    value: Any = importlib.import_module(module)
    for part in ast.unparse(node).split("."):
        value = getattr(value, part, None)
    return value


def test_domains_write_only_their_own_tables_and_emit_only_their_own_topics():
    found = _domain_breaches()
    new = sorted(found - KNOWN)
    assert not new, "new breaches of the import rules:\n" + "\n".join(map(str, new))
    gone = sorted(KNOWN - found)
    assert not gone, "fixed (take them off KNOWN):\n" + "\n".join(map(str, gone))


PROBE = """
def f(session):
    from catalog.models import Certification as Cert, ProductStatus
    from catalog import models as cm
    import sqlalchemy as sa
    from yipin import outbox
    session.add(Cert(kind="organic"))
    session.execute(sa.update(cm.Product).values(name="x"))
    session.execute(cm.Variant.__table__.delete())
    ProductStatus("listed")  # an enum: reading
    outbox.emit(session, "catalog.product_changed", {})
    outbox.emit(session, "suppliers.changed", {})
    from orders.models import Order
"""


def test_the_checker_finds_writes_emits_and_reads_up_inside_functions(tmp_path):
    (tmp_path / "suppliers").mkdir()
    (tmp_path / "suppliers" / "probe.py").write_text(PROBE)
    assert _domain_breaches(tmp_path) == {
        ("suppliers/probe.py", "writes", "catalog.Certification"),
        ("suppliers/probe.py", "writes", "catalog.Product"),
        ("suppliers/probe.py", "writes", "catalog.Variant"),
        ("suppliers/probe.py", "emits", "catalog.product_changed"),
        ("suppliers/probe.py", "reads up", "orders.models"),
    }


@pytest.mark.parametrize(
    "probe", ["from catalog.models import Product", "import orders", "import wsgi"]
)
def test_the_checker_finds_a_core_import_inside_a_function(tmp_path, probe):
    (tmp_path / "yipin").mkdir()
    (tmp_path / "yipin" / "probe.py").write_text(f"def f():\n    {probe}\n")
    assert _core_breaches(tmp_path) == [f"yipin/probe.py:2 imports {probe.split()[1]}"]
