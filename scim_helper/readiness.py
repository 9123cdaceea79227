"""``scim-course check``: is this installation ready for the course? Each problem comes with a fix.

It looks at what goes wrong in widget courses: the Python version, the course's packages, the
JupyterLab widget extension (``jupyterlab_widgets`` present and matching ``ipywidgets``), the
``python3`` kernel, and whether the SCIM server answers. Also ``python -m scim_helper.readiness``.
"""

from __future__ import annotations

import argparse
import importlib.metadata as metadata
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

# Everything beyond the standard library is imported inside the check that needs it: this
# command exists to diagnose a broken installation, so a missing package must become a finding
# with a fix, not an ImportError before anything is printed.

__all__ = ["Finding", "add_arguments", "diagnose", "main", "run"]

DISTRIBUTION = "office-scim-course"
MINIMUM_PYTHON = (3, 11)
REINSTALL = "run `python3 bootstrap.py course` again, or `pip install -e .` in the course folder"


@dataclass(frozen=True)
class Finding:
    """One thing checked: ``ok``, what was found, and how to fix it when it is not ok."""

    topic: str
    ok: bool
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"{'✓' if self.ok else '✗'} {self.topic}: {self.detail}"
        return line if self.ok or not self.fix else f"{line}\n    fix: {self.fix}"


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _satisfies(version: str, specifier: str) -> bool:
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(specifier).contains(version, prereleases=True)


def check_python() -> Finding:
    found = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info[:2] >= MINIMUM_PYTHON
    need = ".".join(map(str, MINIMUM_PYTHON))
    return Finding(
        "Python",
        ok,
        f"{found} ({sys.executable})",
        f"install Python {need} or newer and run `python3 bootstrap.py course` with it",
    )


def check_packages() -> list[Finding]:
    from packaging.requirements import Requirement

    requirements = metadata.requires(DISTRIBUTION) or []
    findings = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        version = _version(requirement.name)
        spec = str(requirement.specifier)
        if version is None:
            findings.append(Finding(requirement.name, False, "not installed", REINSTALL))
        elif spec and not _satisfies(version, spec):
            findings.append(
                Finding(
                    requirement.name, False, f"{version}, but the course needs {spec}", REINSTALL
                )
            )
        else:
            findings.append(Finding(requirement.name, True, version))
    return findings


def _labextension_version() -> str | None:
    """The version of the widget manager JupyterLab loads, from its labextension folder."""
    for root in (Path(sys.prefix), Path(sys.base_prefix)):
        package = (
            root / "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager/package.json"
        )
        if package.exists():
            return str(json.loads(package.read_text("utf-8")).get("version"))
    return None


def check_widget_extension() -> Finding:
    topic = "JupyterLab widget extension"
    ipywidgets = _version("ipywidgets")
    lab_widgets = _version("jupyterlab_widgets")
    if ipywidgets is None:
        return Finding(topic, False, "ipywidgets is not installed", REINSTALL)
    pin = "jupyterlab_widgets~=3.0" if ipywidgets.startswith("8.") else "jupyterlab_widgets"
    if lab_widgets is None:
        return Finding(
            topic,
            False,
            f"jupyterlab_widgets is missing (ipywidgets {ipywidgets})",
            f'pip install "{pin}"; widgets show as text until it is installed',
        )
    wanted = next(
        (
            r.split(";")[0].strip()[len("jupyterlab_widgets") :].strip(" ()")
            for r in metadata.requires("ipywidgets") or []
            if re.match(r"jupyterlab[_-]widgets\b", r, re.IGNORECASE)
        ),
        "",
    )
    if wanted and not _satisfies(lab_widgets, wanted):
        return Finding(
            topic,
            False,
            f"jupyterlab_widgets {lab_widgets} does not match ipywidgets "
            f"{ipywidgets} (it needs {wanted})",
            f'pip install "jupyterlab_widgets{wanted}", then restart JupyterLab',
        )
    loaded = _labextension_version()
    if loaded is None:
        return Finding(
            topic,
            False,
            f"jupyterlab_widgets {lab_widgets} is installed but JupyterLab "
            "has no @jupyter-widgets/jupyterlab-manager extension",
            "pip install --force-reinstall jupyterlab_widgets, then restart JupyterLab",
        )
    return Finding(
        topic,
        True,
        f"ipywidgets {ipywidgets}, jupyterlab_widgets {lab_widgets} (jupyterlab-manager {loaded})",
    )


def check_kernel() -> Finding:
    topic = "python3 kernel"
    fix = f"{sys.executable} -m ipykernel install --user --name python3"
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    except ImportError:
        return Finding(topic, False, "jupyter_client is not installed", REINSTALL)
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        return Finding(topic, False, "no kernel named python3", fix)
    if _version("ipykernel") is None:
        return Finding(topic, False, "ipykernel is not installed", REINSTALL)
    return Finding(topic, True, f"{spec.display_name} ({spec.resource_dir})")


def check_server() -> Finding:
    from scim_helper.connection import ServerNotConfigured, course_client, course_server
    from sync_app.errors import SCIMError

    topic = "SCIM server"
    try:
        url = course_server().url
        with course_client() as client:
            client.service_provider_config()
    except ServerNotConfigured as error:
        return Finding(topic, False, str(error), "set SCIM_AUTH_TOKEN, or unset SCIM_SERVER_URL")
    except SCIMError as error:
        return Finding(
            topic,
            False,
            f"no answer from the server: {str(error).splitlines()[0]}",
            "check SCIM_SERVER_URL and SCIM_AUTH_TOKEN, or unset them to use the local server",
        )
    except Exception as error:  # the local server could not start: say why, not a traceback
        return Finding(
            topic,
            False,
            f"the local server did not start: {error}",
            "run `scim-course serve` to see the full error",
        )
    return Finding(topic, True, f"answers at {url}")


def diagnose(*, server: bool = True) -> list[Finding]:
    """Every finding, in the order they are printed."""
    findings = [check_python(), *check_packages(), check_widget_extension(), check_kernel()]
    if server:
        findings.append(check_server())
    return findings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-server", action="store_true", help="skip starting and asking the SCIM server"
    )


def run(args: argparse.Namespace) -> int:
    findings = diagnose(server=not args.no_server)
    for finding in findings:
        print(finding)
    problems = sum(not f.ok for f in findings)
    print("Ready for the course." if not problems else f"{problems} problem(s) to fix, above.")
    return 0 if not problems else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scim_helper.readiness", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
