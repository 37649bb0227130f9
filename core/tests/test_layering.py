"""The apps' layering, read from the source: core is the kernel, and no two apps import each other.

Every project module is parsed (tests and migrations aside). Every import counts, the ones
inside functions too (a lazy import hides a cycle, it does not remove it), and so does a
dotted path given to ``import_module``, ``import_string`` or ``include``; only the imports
under ``if TYPE_CHECKING:`` do not, since they never run.
"""

from __future__ import annotations

import ast
import itertools
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: Folders that hold no code of the running project.
SKIPPED_DIRS = {"tests", "migrations", "e2e", "var", "node_modules", "__pycache__"}

#: The kernel: it may import Django and libraries, and no app of the project.
KERNEL = "core"

#: Imports still to be removed, each (importing module, imported module). They sit in files
#: that are being reworked as this test lands; whoever removes one deletes its line here (the
#: test fails while a line names an import that no longer exists). Nothing else may be added:
#: a new cycle is fixed, not listed.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. "accounts.views"
    target: str  # the imported project module, e.g. "regions.services"
    where: str  # file:line

    @property
    def edge(self) -> tuple[str, str]:
        return (self.source, self.target)


def app_of(module: str) -> str:
    return module.split(".", 1)[0]


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the project's packages by dotted name, tests and migrations left out."""
    modules: dict[str, Path] = {}
    for init in sorted(root.glob("*/__init__.py")):
        package = init.parent
        if package.name in SKIPPED_DIRS or package.name.startswith("."):
            continue
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if SKIPPED_DIRS.intersection(parts[:-1]) or parts[-1].startswith("test_") or parts[-1] == "conftest":
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under ``node``, except the bodies of ``if TYPE_CHECKING:`` (their else runs)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for other in child.orelse:
                yield other
                yield from _statements(other)
            continue
        yield child
        yield from _statements(child)


#: Calls that import the module named by their first argument (a dotted path).
DOTTED_IMPORTERS = {"import_module": False, "include": False, "import_string": True}  # True: path ends in a name


def _named(node: ast.Call) -> str | None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if name not in DOTTED_IMPORTERS or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Tuple) and arg.elts:  # include(("app.urls", "namespace"))
        arg = arg.elts[0]
    if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
        return None
    return arg.value.rsplit(".", 1)[0] if DOTTED_IMPORTERS[name] else arg.value


def imports_of(module: str, path: Path, modules: dict[str, Path], root: Path = ROOT) -> list[Import]:
    """The project modules ``module`` imports at run time."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    where = path.relative_to(root)
    found: list[Import] = []

    def add(name: str, line: int) -> None:
        # The deepest project module the name reaches: "regions.models.Region" is regions.models.
        while name and name not in modules:
            name = name.rpartition(".")[0]
        if name and name != module and (seen := Import(module, name, f"{where}:{line}")) not in found:
            found.append(seen)

    for node in _statements(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            for alias in node.names:
                add(f"{origin}.{alias.name}", node.lineno)
        elif isinstance(node, ast.Call) and (named := _named(node)):
            add(named, node.lineno)
    return found


def project_imports(root: Path = ROOT) -> list[Import]:
    modules = project_modules(root)
    return [found for module, path in modules.items() for found in imports_of(module, path, modules, root)]


def app_graph(imports: list[Import]) -> dict[str, dict[str, list[Import]]]:
    """app -> app it imports -> the imports that make the edge."""
    graph: dict[str, dict[str, list[Import]]] = defaultdict(lambda: defaultdict(list))
    for found in imports:
        source, target = app_of(found.source), app_of(found.target)
        if source != target:
            graph[source][target].append(found)
    return graph


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path [a, b, …, a], or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def explain(cycle: list[str], witnesses: dict[tuple[str, str], list[Import]]) -> str:
    hops = []
    for a, b in itertools.pairwise(cycle):
        shown = ", ".join(f"{i.where} ({i.source} -> {i.target})" for i in witnesses[(a, b)][:3])
        hops.append(f"  {a} -> {b}: {shown}")
    return " -> ".join(cycle) + "\n" + "\n".join(hops)


def remaining(imports: list[Import]) -> list[Import]:
    return [i for i in imports if i.edge not in ALLOWED]


# --- the rules ---------------------------------------------------------------------------------


def test_core_imports_no_other_app_of_the_project() -> None:
    outside = [i for i in remaining(project_imports()) if app_of(i.source) == KERNEL and app_of(i.target) != KERNEL]
    assert not outside, "core is the kernel and imports no app:\n" + "\n".join(
        f"  {i.where}: {i.source} -> {i.target}" for i in outside
    )


def test_no_two_apps_import_each_other_even_through_others() -> None:
    graph = app_graph(remaining(project_imports()))
    edges = {a: set(targets) for a, targets in graph.items()}
    witnesses = {(a, b): found for a, targets in graph.items() for b, found in targets.items()}
    cycle = find_cycle(edges)
    assert cycle is None, "apps import each other in a cycle:\n" + explain(cycle, witnesses)


def test_no_two_modules_import_each_other_even_through_others() -> None:
    imports = remaining(project_imports())
    edges: dict[str, set[str]] = defaultdict(set)
    witnesses: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for found in imports:
        edges[found.source].add(found.target)
        witnesses[found.edge].append(found)
    cycle = find_cycle(edges)
    assert cycle is None, "modules import each other in a cycle:\n" + explain(cycle, witnesses)


def test_every_allowed_import_still_exists() -> None:
    present = {i.edge for i in project_imports()}
    gone = sorted(edge for edge in ALLOWED if edge not in present)
    assert not gone, f"remove these lines from ALLOWED, the imports are gone: {gone}"


# --- the reader itself: each rule above fails when it should -------------------------------------


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def graph_of(root: Path) -> dict[str, set[str]]:
    return {a: set(targets) for a, targets in app_graph(project_imports(root)).items()}


def test_a_lazy_import_inside_a_function_counts(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/views.py": "def page():\n    from b.models import Thing\n    return Thing\n",
            "b/__init__.py": "",
            "b/models.py": "from a import views\n",
        },
    )
    edges = graph_of(root)
    assert edges == {"a": {"b"}, "b": {"a"}}
    assert find_cycle(edges) == ["a", "b", "a"]


def test_an_import_under_type_checking_does_not_count_but_its_else_does(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/types.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from b.models import Thing\n"
                "else:\n    from c import models\n"
            ),
            "b/__init__.py": "",
            "b/models.py": "",
            "c/__init__.py": "",
            "c/models.py": "",
        },
    )
    assert graph_of(root) == {"a": {"c"}}


def test_relative_and_dotted_path_imports_count_and_tests_do_not(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/models.py": "",
            "a/views.py": "from .models import Thing\nfrom django.utils.module_loading import import_string\n"
            "check = import_string('b.services.check')\n",
            "a/urls.py": "from django.urls import include\nurlpatterns = [include(('c.urls', 'c'))]\n",
            "a/tests/__init__.py": "",
            "a/tests/test_views.py": "import d.models\n",
            "a/migrations/__init__.py": "",
            "a/migrations/0001_initial.py": "import d.models\n",
            "b/__init__.py": "",
            "b/services.py": "",
            "c/__init__.py": "",
            "c/urls.py": "",
            "d/__init__.py": "",
            "d/models.py": "",
        },
    )
    assert graph_of(root) == {"a": {"b", "c"}}


def test_a_cycle_through_a_third_app_is_found_with_its_path() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "d": {"a", "c"}}) is None
