"""The Binder configuration and the README links for hubs stay in step with the project."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


def _readme_section() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## Binder and JupyterHub", 1)[1].split("\n## ", 1)[0]


def test_binder_installs_the_course_itself() -> None:
    """binder/requirements.txt installs the project, so Binder gets pyproject's dependencies."""
    lines = (BINDER / "requirements.txt").read_text().splitlines()
    requirements = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert requirements == ["-e ."]


def test_binder_python_satisfies_requires_python() -> None:
    """The Python Binder builds is one the project supports (repo2docker's default may not be)."""
    runtime = (BINDER / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, runtime
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert match.group(1) in SpecifierSet(pyproject["project"]["requires-python"])


def test_post_build_is_an_executable_script() -> None:
    """repo2docker runs binder/postBuild only when it is executable."""
    post_build = BINDER / "postBuild"
    assert post_build.read_text().startswith("#!/usr/bin/env bash")
    assert os.access(post_build, os.X_OK)


def test_readme_links_open_a_chapter_that_exists() -> None:
    """The Binder and nbgitpuller links in the README open the index chapter of this checkout."""
    links = re.findall(r"https://\S+?(?=[)\s`])", _readme_section())
    binder = next(link for link in links if link.startswith("https://mybinder.org/v2/gh/"))
    puller = next(link for link in links if "/hub/user-redirect/git-pull?" in link)
    binder_path = parse_qs(urlsplit(binder).query)["urlpath"][0].removeprefix("lab/tree/")
    assert (ROOT / binder_path).is_file(), binder_path
    query = parse_qs(urlsplit(puller).query)
    assert unquote(query["repo"][0]) == "https://github.com/OWNER/REPO"
    repo_dir, puller_path = query["urlpath"][0].removeprefix("lab/tree/").split("/", 1)
    assert repo_dir == "REPO"
    assert binder_path == puller_path, "both links open the same chapter"
