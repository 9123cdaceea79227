"""The project's packaging: one set of dependencies, the two README commands, CI running them."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _normalise(requirement: str) -> str:
    """'SQLAlchemy >= 2.0' and 'sqlalchemy>=2.0' are the same requirement."""
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?(.*)", requirement)
    assert match, requirement
    name, extras, rest = match.groups()
    return name.lower().replace("_", "-") + (extras or "") + rest.replace(" ", "")


def test_environment_yml_carries_the_same_dependencies() -> None:
    """environment.yml lists exactly pyproject's runtime dependencies: conda and pip never drift."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    from_conda = {_normalise(r) for r in pip_section if not r.startswith("-e")}
    from_pyproject = {_normalise(r) for r in _pyproject()["project"]["dependencies"]}
    # Besides them, only the build frontend, pinned as in the dev extras (tests/test_package.py).
    from_conda -= {r for r in from_conda if r.startswith("build==")}
    assert from_conda == from_pyproject
    assert "-e ." in pip_section, "conda users install the course itself too"


def test_environment_yml_python_matches_requires_python() -> None:
    """The conda Python floor is the one pyproject requires."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    floor = _pyproject()["project"]["requires-python"]
    assert f"python{floor}" in env["dependencies"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    """.ci/run runs the README's test command, so a green CI proves the README."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    test_command = "python3 bootstrap.py test"
    assert any(block.strip() == test_command for block in blocks)
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci_lines[-1] == test_command


def test_readme_documents_the_course_and_headless_commands() -> None:
    """The README names the one command that opens the course and the one that runs it headless."""
    readme = (ROOT / "README.md").read_text()
    assert "python3 bootstrap.py course" in readme
    assert "python3 bootstrap.py run" in readme


def test_bootstrap_tasks_match_the_readme() -> None:
    """Every task the README names exists in bootstrap.py."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bootstrap", ROOT / "bootstrap.py")
    assert spec and spec.loader
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"python3 bootstrap\.py (\w+)", readme))
    assert named == set(bootstrap.TASKS)


def test_console_script_points_at_the_cli() -> None:
    """`scim-course` is installed as a console script that resolves to a callable."""
    import importlib

    target = _pyproject()["project"]["scripts"]["scim-course"]
    module_name, _, attr = target.partition(":")
    assert callable(getattr(importlib.import_module(module_name), attr))


def _tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_lint_and_format_are_clean() -> None:
    """`ruff check .` and `ruff format --check .` pass over the repository, as configured."""
    assert "line-length" in _pyproject()["tool"]["ruff"]
    lint = _tool("ruff", "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    formatted = _tool("ruff", "format", "--check", ".")
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr


def test_mypy_is_clean_on_both_packages() -> None:
    """mypy passes on the packages pyproject names: the client and the course support."""
    assert {"sync_app", "scim_helper"} <= set(_pyproject()["tool"]["mypy"]["packages"])
    result = _tool("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_pytest_turns_warnings_into_errors_with_strict_markers() -> None:
    """pytest runs with warnings as errors, strict markers and strict xfail."""
    options = _pyproject()["tool"]["pytest"]["ini_options"]
    assert options["filterwarnings"] == ["error"]
    assert "--strict-markers" in options["addopts"]
    assert options["xfail_strict"] is True


def test_top_level_layout_and_python_floor() -> None:
    """The repository has the layout the course promises, and needs Python 3.11 or newer."""
    for folder in ("notebooks", "scim_helper", "sync_app", "tests"):
        assert (ROOT / folder).is_dir(), folder
    for name in ("environment.yml", "README.md", "CHANGELOG.md", "CONTRIBUTING.md", ".ci/run"):
        assert (ROOT / name).is_file(), name
    assert (ROOT / ".ci" / "run").stat().st_mode & 0o111, ".ci/run is executable"
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
