import ast
import sys
from pathlib import Path

ENGINE = Path(__file__).parents[2] / "webcare" / "roster" / "engine"


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules.add(node.module)
    return modules


def test_the_engine_imports_only_the_standard_library_and_timeutil():
    outside = {
        (path.name, module)
        for path in ENGINE.glob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names and module != "webcare.timeutil"
    }
    assert outside == set()
