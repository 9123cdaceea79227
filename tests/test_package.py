"""The course as a package: `pip install office-scim-course`, then one command opens the course.

The workspace tests run in the fast lane. The last test builds the wheel and sdist, installs the
wheel into a fresh virtual environment outside the repository and runs the installed course from
an empty folder; it is ``slow`` (about two to three minutes on two shared cores).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import tomllib
import venv
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest
import requests
import yaml

import scim_helper
from scim_helper import lab, workspace
from scim_helper.workspace import MANIFEST, prepare

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def _course(tmp_path: Path) -> Path:
    """A small course folder: two chapters and a solution."""
    source = tmp_path / "course"
    (source / "solutions").mkdir(parents=True)
    (source / "01-welcome.ipynb").write_text('{"v": 1}')
    (source / "02-charles-joins.ipynb").write_text('{"v": 1}')
    (source / "solutions" / "02-wallace-created.py").write_text("print(1)\n")
    return source


# --- the workspace: first copy, then never a learner's edit overwritten ------------------------


def test_first_run_copies_every_chapter_and_records_their_hashes(tmp_path: Path) -> None:
    source, folder = _course(tmp_path), tmp_path / "workspace"
    update = prepare(folder, source, version="0.1.0")
    assert sorted(update.copied) == [
        "01-welcome.ipynb",
        "02-charles-joins.ipynb",
        "solutions/02-wallace-created.py",
    ]
    assert (folder / "solutions" / "02-wallace-created.py").read_text() == "print(1)\n"
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["version"] == "0.1.0" and set(manifest["files"]) == set(update.copied)
    assert prepare(folder, source, version="0.1.0").lines() == []  # nothing new: nothing said


def test_an_edited_chapter_survives_an_upgrade_and_the_new_one_is_offered_beside_it(
    tmp_path: Path,
) -> None:
    source, folder = _course(tmp_path), tmp_path / "workspace"
    prepare(folder, source, version="0.1.0")
    (folder / "02-charles-joins.ipynb").write_text('{"v": 1, "mine": true}')
    # The upgraded package changes both chapters and brings a new one.
    (source / "01-welcome.ipynb").write_text('{"v": 2}')
    (source / "02-charles-joins.ipynb").write_text('{"v": 2}')
    (source / "03-michaels-last-day.ipynb").write_text('{"v": 2}')

    update = prepare(folder, source, version="0.2.0")

    assert (folder / "02-charles-joins.ipynb").read_text() == '{"v": 1, "mine": true}'
    assert (folder / "02-charles-joins (v0.2.0).ipynb").read_text() == '{"v": 2}'
    assert (folder / "01-welcome.ipynb").read_text() == '{"v": 2}'  # untouched, so updated
    assert (folder / "03-michaels-last-day.ipynb").read_text() == '{"v": 2}'
    assert update.updated == ["01-welcome.ipynb"]
    assert update.copied == ["03-michaels-last-day.ipynb"]
    assert update.offered == ["02-charles-joins (v0.2.0).ipynb"]
    assert any("yours is untouched" in line for line in update.lines())
    # Still the learner's on the next run: neither replaced nor offered twice.
    again = prepare(folder, source, version="0.2.0")
    assert again.offered == [] and again.updated == []
    assert (folder / "02-charles-joins.ipynb").read_text() == '{"v": 1, "mine": true}'


def test_an_edited_chapter_is_left_alone_when_the_package_did_not_change(tmp_path: Path) -> None:
    """Running `scim-course lab` again, same version: no copy of an unchanged chapter offered."""
    source, folder = _course(tmp_path), tmp_path / "workspace"
    prepare(folder, source, version="0.1.0")
    (folder / "01-welcome.ipynb").write_text('{"v": 1, "outputs": "saved by JupyterLab"}')
    update = prepare(folder, source, version="0.1.0")
    assert update.lines() == [] and sorted(p.name for p in folder.glob("*.ipynb")) == [
        "01-welcome.ipynb",
        "02-charles-joins.ipynb",
    ]
    assert (folder / "01-welcome.ipynb").read_text() == '{"v": 1, "outputs": "saved by JupyterLab"}'


def test_a_file_the_manifest_does_not_know_is_treated_as_the_learners(tmp_path: Path) -> None:
    """A folder the learner had before (no manifest): nothing in it is replaced."""
    source, folder = _course(tmp_path), tmp_path / "workspace"
    folder.mkdir()
    (folder / "01-welcome.ipynb").write_text("my own")
    prepare(folder, source, version="0.1.0")
    assert (folder / "01-welcome.ipynb").read_text() == "my own"
    assert (folder / "01-welcome (v0.1.0).ipynb").read_text() == '{"v": 1}'


def test_scim_course_update_brings_the_workspace_up_to_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from scim_helper.cli import main

    folder = tmp_path / "workspace"
    assert main(["update", "--dir", str(folder)]) == 0
    assert "Copied" in capsys.readouterr().out
    assert {p.name for p in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")} <= {
        p.name for p in folder.glob("*.ipynb")
    }
    assert main(["update", "--dir", str(folder)]) == 0
    assert "already has the chapters of version" in capsys.readouterr().out


def _lab_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    lab.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_lab_opens_a_workspace_with_dir_and_a_clone_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--dir is a workspace; in a clone (or its checkout) the chapters open where they are."""
    monkeypatch.chdir(tmp_path)
    assert lab.workspace_folder(_lab_args("--dir", str(tmp_path / "d"))) == tmp_path / "d"
    assert lab.workspace_folder(_lab_args()) is None  # this checkout: an editable install
    monkeypatch.setattr(lab, "packaged_chapters", lambda: NOTEBOOKS)  # an installed package
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "00-index.ipynb").write_text("{}")
    assert lab.workspace_folder(_lab_args()) is None  # started in a clone: its chapters
    # Started anywhere else: the default workspace in the home folder.
    shutil.rmtree(tmp_path / "notebooks")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert lab.workspace_folder(_lab_args()) == tmp_path / "home" / "office-scim-course"
    assert workspace.default_workspace() == tmp_path / "home" / "office-scim-course"


# --- one version, shown by the command line and the index chapter ------------------------------


def test_the_version_has_one_source() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in project["project"]["dynamic"] and "version" not in project["project"]
    assert project["tool"]["hatch"]["version"]["path"] == "scim_helper/__init__.py"
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)*", scim_helper.__version__)


def test_scim_course_version_and_the_index_chapter_show_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scim_helper.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == f"scim-course {scim_helper.__version__}"
    index = nbformat.read(NOTEBOOKS / "00-index.ipynb", 4)
    assert f"This is version {scim_helper.__version__} of the course" in index.cells[0].source


def test_build_frontend_is_in_the_dev_extras_and_environment_yml_alike() -> None:
    """`python -m build` works for pip and conda users: the same pin in both."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dev = [r for r in project["project"]["optional-dependencies"]["dev"] if r.startswith("build")]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert dev and dev == [r for r in pip_section if r.startswith("build")]


def test_readme_gives_the_pip_and_conda_routes_two_commands_each() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "## Install with pip" in readme
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    assert "pip install office-scim-course\nscim-course lab\n" in blocks
    conda = "conda env create -f environment.yml\n"
    assert conda + "conda activate office-scim-course && scim-course lab\n" in blocks
    assert "~/office-scim-course" in readme and "scim-course update" in readme


# --- the real thing: build, install outside the repository, run ---------------------------------

#: Bounded but generous: two cores shared with other work.
START = 180.0
STOP = 60.0


def _env(home: Path) -> dict[str, str]:
    """A learner's shell: no course variables, its own home, data and Jupyter folders."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SCIM_SERVER_URL", "SCIM_AUTH_TOKEN", "PYTHONPATH", "VIRTUAL_ENV")
        and not k.startswith(("JUPYTER", "SCIM_COURSE"))
    }
    env.update(
        HOME=str(home),
        SCIM_COURSE_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
    )
    return env


def _build(source: Path, out: Path, *what: str) -> list[Path]:
    subprocess.run(
        [sys.executable, "-m", "build", *what, "--outdir", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return sorted(out.iterdir())


def _lab_until_it_answers(scim_course: Path, folder: Path, cwd: Path, env: dict[str, str]) -> str:
    """`scim-course lab --dir folder` until JupyterLab answers; then one SIGINT stops it all."""
    process = subprocess.Popen(
        [str(scim_course), "lab", "--dir", str(folder), "--no-browser"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen: list[psutil.Process] = []
    output = ""
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + START
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output += line
            if found := re.search(r"(http://\S+/lab/tree/00-index\.ipynb\?token=\w+)", line):
                url = found[1]
        assert url, output
        assert requests.get(url, timeout=30).status_code == 200
        base, query = url.split("/lab/")[0], "?" + url.split("?", 1)[1]
        index = requests.get(f"{base}/api/contents/00-index.ipynb{query}", timeout=30)
        assert index.status_code == 200 and index.json()["type"] == "notebook"
        seen = [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=STOP)
        output += rest
        assert process.returncode == 0, output
        assert "JupyterLab and the SCIM server have stopped." in output
        assert "Traceback" not in output, output
        deadline = time.monotonic() + 15
        while (left := [p for p in seen if p.is_running() and p.status() != "zombie"]) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.2)
        assert not left, [" ".join(p.cmdline()) for p in left]
        return output
    finally:
        if process.poll() is None:
            # Failed before the processes were counted: count them now, or JupyterLab (in a
            # process group of its own) outlives the test and keeps its port.
            with contextlib.suppress(psutil.Error):
                seen = seen or [
                    psutil.Process(process.pid),
                    *psutil.Process(process.pid).children(True),
                ]
            for p in seen:
                if p.is_running():
                    p.kill()
            process.kill()
            process.wait()


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="runs the installed scripts of a POSIX venv")
def test_the_built_wheel_installs_and_runs_the_course_from_an_empty_folder(
    tmp_path: Path,
) -> None:
    """Build, install outside the repository, run every chapter, open the lab, then upgrade.

    The sdist must rebuild the wheel: the upgrade is a wheel built from the sdist, with its
    version bumped and two chapters changed. A chapter the learner edited survives the upgrade;
    the new one is offered next to it.
    """
    started = time.monotonic()
    dist = tmp_path / "dist"
    built = _build(ROOT, dist)  # the sdist, then the wheel from it
    (sdist,) = [p for p in built if p.name.endswith(".tar.gz")]
    (wheel,) = [p for p in built if p.suffix == ".whl"]
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    course_files = [n for n in names if n.startswith("scim_helper/course/")]
    for chapter in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"):
        assert f"scim_helper/course/{chapter.name}" in names
    assert "scim_helper/course/EXERCISES.md" in names
    assert "scim_helper/course/solutions/02-wallace-created.py" in names
    assert "scim_helper/data/staff.json" in names
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "sdist", filter="data")
    unpacked = next((tmp_path / "sdist").iterdir())
    for needed in ("tools/build_notebooks.py", "tools/chapters/00-index.md", "pyproject.toml"):
        assert (unpacked / needed).is_file(), needed

    # A fresh environment outside the repository, and an empty folder to start from.
    env_dir, home, empty = tmp_path / "venv", tmp_path / "home", tmp_path / "empty"
    home.mkdir()
    empty.mkdir()
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python, scim_course = env_dir / "bin" / "python", env_dir / "bin" / "scim-course"
    env = _env(home)
    # pip keeps this machine's configuration and cache (index, wheels): only the course is new.
    pip_env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, str(wheel)], check=True, env=pip_env, cwd=empty, timeout=600)
    installed = subprocess.run(
        [str(python), "-c", "import scim_helper; print(scim_helper.__file__)"],
        capture_output=True, text=True, env=env, cwd=empty, check=True,
    ).stdout  # fmt: skip
    assert Path(installed.strip()).is_relative_to(env_dir), installed
    version = subprocess.run(
        [str(scim_course), "--version"], capture_output=True, text=True, env=env, cwd=empty
    )
    assert version.stdout.strip() == f"scim-course {scim_helper.__version__}"

    run = subprocess.run(
        [str(scim_course), "run", "--budget", "120"],
        capture_output=True, text=True, env=env, cwd=empty, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    chapters = len(list(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")))
    assert f"for {chapters} chapters (budget 120 s); 0 failed" in run.stdout, run.stdout
    assert list(empty.iterdir()) == []  # nothing written where it was started

    folder = tmp_path / "my course"
    output = _lab_until_it_answers(scim_course, folder, empty, env)
    assert f"Copied {len(course_files)} course files into {folder}" in output
    chapter = folder / "02-charles-joins.ipynb"
    mine = nbformat.read(chapter, 4)
    mine.cells.append(nbformat.v4.new_markdown_cell("My notes: Charles does not like Jim."))
    nbformat.write(mine, chapter)
    edited = chapter.read_bytes()

    # The upgrade: a wheel rebuilt from the sdist, with a new version and two changed chapters.
    init = unpacked / "scim_helper" / "__init__.py"
    init.write_text(init.read_text().replace(scim_helper.__version__, "99.0.0"))
    # An sdist's PKG-INFO holds the version its wheel gets (the metadata travels with it).
    info = unpacked / "PKG-INFO"
    info.write_text(
        info.read_text().replace(f"\nVersion: {scim_helper.__version__}\n", "\nVersion: 99.0.0\n")
    )
    for name in ("02-charles-joins.ipynb", "03-michaels-last-day.ipynb"):
        upgraded = nbformat.read(unpacked / "notebooks" / name, 4)
        upgraded.cells.append(nbformat.v4.new_markdown_cell("New in 99.0.0."))
        nbformat.write(upgraded, unpacked / "notebooks" / name)
    (new_wheel,) = _build(unpacked, tmp_path / "dist2", "--wheel")
    assert new_wheel.name.startswith("office_scim_course-99.0.0-")
    subprocess.run([*pip, "--no-deps", str(new_wheel)], check=True, env=pip_env, timeout=300)

    output = _lab_until_it_answers(scim_course, folder, empty, env)

    assert chapter.read_bytes() == edited  # the learner's work, byte for byte
    offered = folder / "02-charles-joins (v99.0.0).ipynb"
    assert offered.exists() and str(offered.name) in output
    assert nbformat.read(offered, 4).cells[-1].source == "New in 99.0.0."
    # A chapter the learner never changed is simply brought up to date.
    assert nbformat.read(folder / "03-michaels-last-day.ipynb", 4).cells[-1].source == (
        "New in 99.0.0."
    )
    assert not (folder / "03-michaels-last-day (v99.0.0).ipynb").exists()
    assert time.monotonic() - started < 300, "keep the packaging test within a few minutes"
    shutil.rmtree(env_dir)  # a few hundred MB: not kept until pytest's cleanup
