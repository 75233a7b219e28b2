"""The project's layout: what ships never imports the tests, and each module has one name."""

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Everything but the tests: the deploy, its tasks, the tools, the benchmark and the test bed they share.
SHIPPED = [*ROOT.glob("*.py"), *(p for folder in ("tasks", "tools", "bench", "testbed")
                                 for p in (ROOT / folder).rglob("*.py"))]


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module)
    return names


def test_nothing_outside_the_tests_imports_them():
    assert len(SHIPPED) > 50
    importers = {str(p.relative_to(ROOT)): sorted(n for n in imported(p) if n.split(".")[0] == "tests")
                 for p in SHIPPED}
    assert {p: n for p, n in importers.items() if n} == {}


def test_the_test_bed_has_one_name():
    assert importlib.util.find_spec("testbed.twin") is not None
    for other in ("twin", "harness", "stack", "realtext", "doctor_examples"):
        assert importlib.util.find_spec(other) is None, f"{other} is importable under a second name"


def defined(path: Path) -> set[str]:
    """The names a module defines itself at its top level: assigned, def'd or class'd there."""
    names = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def test_every_name_is_imported_from_the_module_that_defines_it():
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in ROOT.glob("tasks/**/*.py")}
    through = []
    for path in [*SHIPPED, *ROOT.glob("tests/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in modules:
                own = defined(modules[node.module])
                through += [f"{path.relative_to(ROOT)}: {a.name} from {node.module}" for a in node.names
                            if a.name not in own and f"{node.module}.{a.name}" not in modules]
    assert through == []
