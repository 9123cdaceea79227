"""Mutation testing on demand: would the tests notice a small wrong change? (issue 18)

    .venv/bin/python tools/mutation.py                      # every module in MODULES
    .venv/bin/python tools/mutation.py scim_helper/server/patch.py sync_app/transport.py
    .venv/bin/python tools/mutation.py --keep scim_helper/server/filters.py   # keeps the copy
    .venv/bin/python tools/mutation.py --resume /tmp/mutation-… scim_helper/server/filters.py

The engine is mutmut 3 (a dev dependency): it rewrites each function of a module into many
mutants (flipped and negated comparisons, ``and``/``or`` swapped, ``+1`` on numbers, changed
strings, dropped arguments, ``return`` values replaced by ``None``…) and runs, for each mutant,
only the tests that called that function. This driver adds what the project needs around it:

- it works on a temporary copy of the tree, never on the working tree (mutmut writes a
  ``mutants/`` folder next to the code it mutates);
- one module at a time, against the tests mapped to it in ``MODULES`` (one line per module),
  SQLite only (``-m "not postgres"``: a PostgreSQL cluster per mutant would take the machine),
  under ``nice -n 10`` with at most 2 workers;
- it prints caught/missed per module, lists each missed mutant as ``file:line  old -> new``,
  and reports the mutants listed in ``tools/mutation_equivalent.txt`` (one that cannot change
  behaviour, with its reason) separately, and warns about entries there that no longer match.

Caught = killed by a failing test, or a timeout. Missed = survived, or no test reached it.
What mutmut does not mutate: module-level constants, class bodies (dataclass defaults) and
decorated functions (``@functools.cache``, ``@property``…), since its trampolines wrap plain
functions and methods only; their behaviour is pinned by ordinary tests instead.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.txt"
WORKERS = 2
TIMEOUT_CONSTANT = 10  # seconds added to mutmut's estimate before its x15 (its default: 1)

_SERVER = "tests/scim_helper/server"
_COURSE = "tests/scim_helper/course"
_CHECKS = [str(p.relative_to(ROOT)) for p in sorted((ROOT / _COURSE).glob("test_checks*.py"))]
_CLIENT = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "tests/sync_app").glob("test_*.py"))]
_CHAPTER_CHECKS = ("bulk", "charles", "emails", "errors", "finding", "infinity", "michael")
_CHAPTER_CHECKS += ("paper_company", "sabre", "welcome")
# module -> the tests that cover it. Add a module with one line.
MODULES: dict[str, list[str]] = {
    "scim_helper/server/filters.py": [
        f"{_SERVER}/store/test_filters.py",
        f"{_SERVER}/store/test_filters_edges.py",
        f"{_SERVER}/store/test_limits_edges.py",
        f"{_SERVER}/store/test_search.py",
        f"{_SERVER}/store/test_members_edges.py",  # members_matching: PATCH members[…]
        f"{_SERVER}/http/test_routes_filters.py",
        f"{_SERVER}/http/test_limits.py",
    ],
    "scim_helper/server/patch.py": [
        f"{_SERVER}/store/test_patch.py",
        f"{_SERVER}/store/test_patch_edges.py",
        f"{_SERVER}/store/test_bulk_patch.py",
        f"{_SERVER}/store/test_limits_edges.py",
        f"{_SERVER}/http/test_routes_patch.py",
        f"{_SERVER}/http/test_routes_bulk.py",
    ],
    "scim_helper/server/projection.py": [
        f"{_SERVER}/http/test_projection.py",
        f"{_SERVER}/http/test_projection_edges.py",
        f"{_SERVER}/http/test_routes.py",
        f"{_SERVER}/http/test_routes_groups.py",
    ],
    # search_after (cursor paging, RFC 9865) is reached through HTTP only
    "scim_helper/server/store/core.py": [
        f"{_SERVER}/store",
        f"{_SERVER}/http/test_pagination_cursor.py",
    ],
    "scim_helper/server/store/members.py": [f"{_SERVER}/store"],
    # Every store test goes through run(); these pin it (the whole folder: 1,300 tests a mutant)
    "scim_helper/server/store/execute.py": [
        f"{_SERVER}/store/test_execute.py",
        f"{_SERVER}/store/test_round_trips.py",
        f"{_SERVER}/store/test_search_shapes.py",
    ],
    "scim_helper/server/store/rows.py": [f"{_SERVER}/store"],
    # Without tests/sync_app/sync: the engine's 65 tests take 70 s, and every surviving mutant
    # of a function they reach (Transport.request, to_dict…) ran them all; the client's own
    # tests (340, 10 s) are the ones that pin these two modules.
    "sync_app/transport.py": _CLIENT,
    "sync_app/scim/base.py": _CLIENT,
    "sync_app/scim/group.py": ["tests/sync_app"],
    "sync_app/scim/patchop.py": ["tests/sync_app"],
    "sync_app/scim/resource.py": ["tests/sync_app"],
    "sync_app/scim/user.py": ["tests/sync_app"],
    "scim_helper/checks/__init__.py": _CHECKS,
    # Check._reported sends the progress report: the reporter's tests read what it sent
    "scim_helper/checks/_framework.py": [*_CHECKS, "tests/scim_helper/workshop/test_reporter.py"],
    "scim_helper/checks/_technique.py": _CHECKS,
    **{
        f"scim_helper/checks/{name}.py": [
            f"{_COURSE}/test_checks.py",
            f"{_COURSE}/test_checks_{name}.py",
        ]
        for name in _CHAPTER_CHECKS
    },
    "scim_helper/setup.py": [
        f"{_COURSE}/{name}.py"
        for name in (
            "test_setup",
            "test_setup_servers",
            "test_setup_sandbox_wire",
            "test_strangers",
            "test_sandbox",
        )
    ],
    "scim_helper/seeding.py": [
        f"{_COURSE}/{name}.py" for name in ("test_seeding", "test_setup", "test_directory")
    ],
    "scim_helper/connection.py": [
        f"{_COURSE}/{name}.py"
        for name in ("test_connection", "test_sandbox", "test_advice", "test_data_dir")
    ],
}

CAUGHT = {"killed", "timeout", "caught by type check"}
MISSED = {"survived", "no tests"}
# mutmut's exit codes (mutmut.stats.status_by_exit_code), copied so the report needs no import
_STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests"}
_STATUS |= {34: "skipped", 35: "suspicious", 36: "timeout", 37: "caught by type check"}
_STATUS |= {-24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"}
_COPY = ("scim_helper", "sync_app", "tests", "pyproject.toml", "notebooks")


@dataclass
class Mutant:
    name: str
    status: str
    where: str = ""
    change: str = ""


@dataclass
class Report:
    module: str
    seconds: float
    mutants: list[Mutant] = field(default_factory=list)

    def count(self, statuses: set[str], equivalent: dict[str, str], eq: bool = False) -> int:
        return sum(1 for m in self.mutants if m.status in statuses and (m.name in equivalent) == eq)


def load_equivalent() -> dict[str, str]:
    """``mutant-name  # reason`` lines; blank lines and ``#`` comments are skipped."""
    entries: dict[str, str] = {}
    for line in EQUIVALENT.read_text().splitlines() if EQUIVALENT.exists() else []:
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition("#")
            entries[name.strip()] = reason.strip()
    return entries


def _setup_cfg(module: str, tests: list[str]) -> str:
    def block(key: str, values: list[str]) -> str:
        return f"{key} =\n" + "".join(f"    {v}\n" for v in values)

    return "[mutmut]\n" + "".join(
        [
            block("paths_to_mutate", [module]),
            block("also_copy", list(_COPY)),
            block("pytest_add_cli_args", ["-p", "no:cacheprovider", "-m", "not postgres"]),
            block("pytest_add_cli_args_test_selection", tests),
            # mutmut's time estimate sums the tests' call phases only, without their fixtures
            # (a Store, a server): on a loaded machine a survivor of a function that 200 tests
            # reach ran past (estimate + 1 s) x 15 and was counted "timeout", i.e. caught.
            # 10 s instead of 1 s leaves room for the fixtures; a real hang is still caught.
            f"timeout_constant = {TIMEOUT_CONSTANT}\n",
        ]
    )


def _changed_line(diff: str) -> tuple[str, str]:
    """The first removed and added line of a mutmut diff (one mutation changes one spot)."""
    old = next((ln[1:] for ln in diff.splitlines() if ln.startswith("-") and ln[1:2] != "-"), "")
    new = next((ln[1:] for ln in diff.splitlines() if ln.startswith("+") and ln[1:2] != "+"), "")
    return old, new


def _line_of(source: list[str], function: ast.AST | None, old: str) -> int:
    start = getattr(function, "lineno", 1)
    end = getattr(function, "end_lineno", len(source))
    for number in range(start, end + 1):
        if source[number - 1].strip() == old.strip():
            return number
    return start


def _function(tree: ast.Module, name: str) -> ast.AST | None:
    """``x_name`` or ``xǁClassǁmethod`` (mutmut's names) -> the def in the original source."""
    body: list[ast.stmt] = tree.body
    parts = name.split("ǁ")
    if len(parts) == 3:
        cls = next((n for n in body if isinstance(n, ast.ClassDef) and n.name == parts[1]), None)
        body, target = (cls.body if cls else []), parts[2]
    else:
        target = name.removeprefix("x_")
    defs = (ast.FunctionDef, ast.AsyncFunctionDef)
    return next((n for n in body if isinstance(n, defs) and n.name == target), None)


def _describe(copy: Path, module: str, missed: list[Mutant]) -> None:
    """Fill ``where`` and ``change`` of missed mutants from mutmut's own diffs."""
    if not missed:
        return
    script = (
        "import json, sys\n"
        "from mutmut.mutation.diff_apply import get_diff_for_mutant\n"
        "print(json.dumps({n: get_diff_for_mutant(n) for n in sys.argv[1:]}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *(m.name for m in missed)],
        cwd=copy,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    diffs = json.loads(out.strip().splitlines()[-1])
    source_text = (copy / module).read_text()
    source, tree = source_text.splitlines(), ast.parse(source_text)
    for m in missed:
        function = re.sub(r"__mutmut_\d+$", "", m.name.rpartition(".")[2])
        old, new = _changed_line(diffs[m.name])
        line = _line_of(source, _function(tree, function), old)
        m.where = f"{module}:{line}"
        m.change = f"{old.strip()}  ->  {new.strip()}"


def _undecorate_checks(path: Path) -> None:
    """Rewrite ``@check(...) def f`` as ``def f`` … ``f = check(...)(f)``, on the same lines.

    mutmut skips decorated functions, which would leave every exercise check unmutated.
    """
    text = path.read_text()
    lines = text.splitlines()
    tail = []
    for node in ast.parse(text).body:
        if not isinstance(node, ast.FunctionDef) or len(node.decorator_list) != 1:
            continue
        deco = node.decorator_list[0]
        called = isinstance(deco, ast.Call) and isinstance(deco.func, ast.Name)
        if called and deco.func.id == "check":
            src = ast.get_source_segment(text, deco)
            for n in range(deco.lineno - 1, deco.end_lineno or deco.lineno):
                lines[n] = ""
            tail.append(f"{node.name} = {src}({node.name})")
    path.write_text("\n".join(lines + tail) + "\n")


def _environment(copy: Path) -> dict[str, str]:
    """mutmut's environment: SQLite only, and every temporary file inside ``copy``.

    Each mutant's tests are a pytest session of their own, in a forked child that does not exit
    normally: its ``pytest-of-<user>/pytest-N`` folder keeps a lock that later sessions take
    for a live one (for three days, pytest's lock timeout), so none is removed: the runs of
    sessions 3-6 had left some 28,000 of them under /tmp, 71 GB, when the disk filled. With
    ``TMPDIR`` in the copy they go when the module is done.
    """
    env = {k: v for k, v in os.environ.items() if k != "SCIM_COURSE_REQUIRE_POSTGRES"}
    (copy / "tmp").mkdir(exist_ok=True)
    env["TMPDIR"] = str(copy / "tmp")
    return env


def _measure(copy: Path, module: str, tests: list[str]) -> Report:
    """Run mutmut in ``copy`` (the mutants without a verdict) and read its verdicts."""
    # A baseline tree may lack test files added since: measure with those it has.
    present = [t for t in tests if (copy / t).exists()]
    (copy / "setup.cfg").write_text(_setup_cfg(module, present))
    env = _environment(copy)
    mutmut = Path(sys.executable).with_name("mutmut")
    command = ["nice", "-n", "10", str(mutmut), "run", "--max-children", str(WORKERS)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    shutil.rmtree(env["TMPDIR"], ignore_errors=True)  # a kept copy keeps the verdicts only
    meta = copy / "mutants" / f"{module}.meta"
    if not meta.exists():
        output = done.stdout[-3000:] + done.stderr
        sys.exit(f"mutmut found nothing to run for {module}:\n{output}")
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    if codes and all(code is None for code in codes.values()):
        # mutmut stops before the mutants when the clean run of the tests fails (a flaky
        # test, a loaded machine): no verdict at all is a failed run, not a score
        output = done.stdout[-3000:] + done.stderr
        sys.exit(f"mutmut gave no verdict for {module} (exit {done.returncode}):\n{output}")
    report = Report(module, seconds)
    for name, code in codes.items():
        report.mutants.append(Mutant(name, _STATUS.get(code, "suspicious")))
    _describe(copy, module, [m for m in report.mutants if m.status in MISSED])
    return report


def resume(copy: Path, module: str, tests: list[str]) -> Report:
    """Measure again in a copy kept by ``--keep``, with this tree's code and tests: mutmut
    re-runs the mutants of functions that changed since, and those the copy missed (their
    verdicts are cleared first); the caught ones of unchanged functions stay caught, since
    tests were only added."""
    for name in _COPY:
        src, dst = ROOT / name, copy / name
        if src.is_dir():
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, dst)
    if module.startswith("scim_helper/checks/"):
        _undecorate_checks(copy / module)  # as run_module does, or its checks go unmutated
    meta = copy / "mutants" / f"{module}.meta"
    data = json.loads(meta.read_text())
    codes = data["exit_code_by_key"]
    for name, code in codes.items():
        if _STATUS.get(code) in MISSED:
            codes[name] = None
    meta.write_text(json.dumps(data))
    return _measure(copy, module, tests)


def run_module(module: str, tests: list[str], keep: bool, source: Path = ROOT) -> Report:
    copy = Path(tempfile.mkdtemp(prefix="mutation-"))
    try:
        for name in _COPY:
            src = source / name
            if src.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
                shutil.copytree(src, copy / name, ignore=ignore)
            else:
                shutil.copy2(src, copy / name)
        if module.startswith("scim_helper/checks/"):
            _undecorate_checks(copy / module)
        return _measure(copy, module, tests)
    finally:
        if keep:
            print(f"kept {copy}", file=sys.stderr)
        else:
            shutil.rmtree(copy, ignore_errors=True)


def _percent(caught: int, total: int) -> str:
    return f"{100 * caught / total:.0f}%" if total else "–"


def print_report(reports: list[Report], equivalent: dict[str, str], details: bool = True) -> None:
    print("| module | mutants | caught | missed | equivalent | other | caught % | time |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in reports:
        caught = r.count(CAUGHT, equivalent)
        missed = r.count(MISSED, equivalent)
        eq = r.count(CAUGHT | MISSED, equivalent, eq=True)
        other = sum(1 for m in r.mutants if m.status not in CAUGHT | MISSED)
        print(
            f"| {r.module} | {len(r.mutants)} | {caught} | {missed} | {eq} | {other} "
            f"| {_percent(caught, caught + missed)} | {r.seconds:.0f} s |"
        )
    for r in reports if details else []:
        missed_list = [m for m in r.mutants if m.status in MISSED and m.name not in equivalent]
        if missed_list:
            print(f"\nmissed in {r.module}:")
            for m in sorted(missed_list, key=lambda m: int(m.where.rpartition(":")[2] or 0)):
                print(f"  {m.where}  {m.change}  ({m.status}; {m.name})")
        listed = [m for m in r.mutants if m.name in equivalent]
        if listed:
            print(f"\nequivalent in {r.module} (tools/mutation_equivalent.txt):")
            for m in listed:
                print(f"  {m.name} ({m.status}): {equivalent[m.name]}")
    seen = {m.name for r in reports for m in r.mutants}
    mutated = {r.module.removesuffix(".py").replace("/", ".") for r in reports}
    stale = [n for n in equivalent if n.rpartition(".")[0] in mutated and n not in seen]
    for name in stale:
        print(f"\nwarning: {name} is listed as equivalent but no longer exists", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths as in MODULES (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    parser.add_argument(
        "--source",
        type=Path,
        default=ROOT,
        help="the tree to copy (default: this one); e.g. a checkout of main for a baseline",
    )
    parser.add_argument(
        "--resume",
        type=Path,
        help="a copy kept by --keep: re-run its missed and changed mutants with this tree",
    )
    args = parser.parse_args(argv)
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"not in MODULES: {', '.join(unknown)}; add a line to tools/mutation.py")
    equivalent = load_equivalent()
    if args.resume:
        if len(args.modules) != 1:
            parser.error("--resume takes the one module its copy was made for")
        module = args.modules[0]
        print_report([resume(args.resume, module, MODULES[module])], equivalent)
        return 0
    reports = []
    for module in args.modules or list(MODULES):
        print(f"mutating {module} ...", file=sys.stderr, flush=True)
        reports.append(run_module(module, MODULES[module], args.keep, args.source))
        if len(args.modules or MODULES) > 1:
            # A full run takes an hour: show each module as it finishes.
            print_report(reports[-1:], equivalent)
            print(flush=True)
    if len(reports) > 1:
        print("## all modules\n")
    print_report(reports, equivalent, details=len(reports) == 1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
