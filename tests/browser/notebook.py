"""Page objects for JupyterLab in Playwright: the Lab, an open notebook, one of its cells.

Actions go through JupyterLab's own commands (``window.jupyterapp.commands``, exposed with
``--LabApp.expose_app_in_browser``) or the keyboard, as a learner's would; assertions read the DOM
a learner sees. The notebook model is read only to find cells and tell a traceback from stderr.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
STDERR_MIME = "application/vnd.jupyter.stderr"

# Helpers installed in every page: find a notebook panel by path and describe its cells.
_INIT_SCRIPT = """
window.__course = {
  panel(path) {
    for (const w of window.jupyterapp.shell.widgets('main')) {
      if (w.context && w.context.path === path && w.content && w.content.widgets) return w;
    }
    throw new Error('no open notebook at ' + path);
  },
  cells(path) {
    return this.panel(path).content.widgets.map((cell, index) => {
      const m = cell.model;
      const outputs = [];
      if (m.type === 'code') {
        for (let i = 0; i < m.outputs.length; i++) {
          const o = m.outputs.get(i).toJSON();
          outputs.push({
            type: o.output_type,
            name: o.name || null,
            ename: o.ename || null,
            evalue: o.evalue || null,
            mimes: Object.keys(o.data || {}),
          });
        }
      }
      return {
        index, type: m.type, source: m.sharedModel.getSource(),
        executionCount: m.type === 'code' ? m.executionCount : null,
        running: m.type === 'code' && m.executionState === 'running',
        outputs,
      };
    });
  },
  idle(path) {
    const panel = this.panel(path);
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (!kernel || kernel.status !== 'idle') return false;
    return panel.content.widgets.every(
      c => c.model.type !== 'code' || c.model.executionState !== 'running');
  },
};
"""


class NotebookError(AssertionError):
    """A notebook failing as a learner would see it: a traceback, red stderr, a dead widget."""


@dataclass(frozen=True)
class CellInfo:
    index: int
    type: str
    source: str
    execution_count: int | None
    outputs: list[dict[str, Any]]


class Lab:
    """The JupyterLab page, logged in; opens notebooks in the same session one after another."""

    def __init__(self, page: Page, lab_url: str) -> None:
        self.page = page
        self.console_errors: list[str] = []
        page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        page.add_init_script(_INIT_SCRIPT)
        page.goto(lab_url)
        page.wait_for_function(
            "() => window.jupyterapp"
            " && window.jupyterapp.commands.hasCommand('notebook:run-all-cells')"
            " && document.querySelector('#jp-main-dock-panel')",
            timeout=60_000,
        )
        self.page.evaluate("() => window.jupyterapp.restored")

    def command(self, command_id: str, args: dict[str, Any] | None = None) -> None:
        """Run a JupyterLab command and wait for it (for commands that finish quickly)."""
        self.page.evaluate(
            "([id, args]) => window.jupyterapp.commands.execute(id, args).then(() => null)",
            [command_id, args or {}],
        )

    def open(self, path: str, timeout: float = 60.0) -> Notebook:
        """Open a notebook (as a double-click in the file browser would) with its kernel ready."""
        console_start = len(self.console_errors)
        self.page.evaluate(
            "(path) => window.jupyterapp.commands.execute('docmanager:open', "
            "{path, factory: 'Notebook'}).then(() => null)",
            path,
        )
        self.page.wait_for_function(
            """(path) => {
                 try {
                   const p = window.__course.panel(path);
                   return p.context.isReady && p.sessionContext.isReady
                     && window.__course.idle(path);
                 } catch (e) { return false; }
               }""",
            arg=path,
            timeout=timeout * 1000,
        )
        return Notebook(self, path, console_start)


class Notebook:
    """One open notebook panel."""

    def __init__(self, lab: Lab, path: str, console_start: int) -> None:
        self.lab = lab
        self.page = lab.page
        self.path = path
        self._console_start = console_start
        panel_id = self.page.evaluate("(p) => window.__course.panel(p).id", path)
        self.panel = self.page.locator(f"[id='{panel_id}']")
        self.activate()

    # -- state -------------------------------------------------------------------------------

    def activate(self) -> None:
        self.page.evaluate(
            "(p) => window.jupyterapp.shell.activateById(window.__course.panel(p).id)", self.path
        )

    def cells(self) -> list[CellInfo]:
        return [
            CellInfo(c["index"], c["type"], c["source"], c["executionCount"], c["outputs"])
            for c in self.page.evaluate("(p) => window.__course.cells(p)", self.path)
        ]

    def cell(self, contains: str) -> Cell:
        """The first cell whose source contains ``contains``."""
        for info in self.cells():
            if contains in info.source:
                return Cell(self, info.index)
        raise LookupError(f"{self.path}: no cell contains {contains!r}")

    def wait_idle(self, timeout: float = 120.0) -> None:
        """Wait until no cell runs and the kernel is idle."""
        self.page.wait_for_function(
            "(p) => window.__course.idle(p)", arg=self.path, timeout=timeout * 1000
        )

    # -- actions -----------------------------------------------------------------------------

    def run_all(self, timeout: float = 120.0) -> None:
        """Run → Run All Cells, then wait for every cell to finish."""
        self.activate()
        self.page.evaluate(
            """() => { window.__runAll = undefined;
                 window.jupyterapp.commands.execute('notebook:run-all-cells').then(
                   r => { window.__runAll = r === undefined ? true : r; },
                   e => { window.__runAll = 'error: ' + e; }); }"""
        )
        self.page.wait_for_function(
            "() => window.__runAll !== undefined", timeout=timeout * 1000, polling=250
        )
        self.wait_idle(timeout)
        cells = self.cells()
        # A traceback fails the run. Run All usually stops there too, but not always: ipykernel
        # aborts only the requests that reach it within stop_on_error_timeout (0 s by default),
        # so on a loaded machine the cells after the error may still run.
        tracebacks = [c.index for c in cells for o in c.outputs if o["type"] == "error"]
        if tracebacks:
            raise NotebookError(
                f"{self.path}: cells {tracebacks} raised.\n{self.describe_errors()}"
            )
        # Every code cell ran: a cell left unnumbered was aborted or never reached.
        not_run = [c.index for c in cells if c.type == "code" and c.execution_count is None]
        if not_run:
            raise NotebookError(
                f"{self.path}: Run All left cells {not_run} unexecuted.\n{self.describe_errors()}"
            )

    def save(self) -> None:
        self.activate()
        self.lab.command("docmanager:save")

    def close(self) -> None:
        """Shut the kernel down and close the tab (saved first, so no dialog asks)."""
        self.save()
        self.page.evaluate(
            """async (p) => { const panel = window.__course.panel(p);
                 await panel.sessionContext.shutdown(); panel.dispose(); }""",
            self.path,
        )

    # -- what a learner sees -----------------------------------------------------------------

    def error_outputs(self) -> list[str]:
        """Every traceback and stderr text on the page, and the browser console's errors.

        The console is quiet in a healthy JupyterLab; a widget that fails to render, or a
        frontend extension that breaks, says so there first.
        """
        found = []
        for info in self.cells():
            for output in info.outputs:
                if output["type"] == "error":
                    found.append(f"cell {info.index}: {output['ename']}: {output['evalue']}")
        stderr = self.panel.locator(f".jp-OutputArea-output[data-mime-type='{STDERR_MIME}']")
        for text in stderr.all_inner_texts():
            found.append(f"stderr on page: {text.strip()[:2000]}")
        for message in self.lab.console_errors[self._console_start :]:
            found.append(f"browser console: {message[:2000]}")
        return found

    def describe_errors(self) -> str:
        return "\n".join(self.error_outputs()) or "(no error output)"

    def assert_no_errors(self) -> None:
        errors = self.error_outputs()
        if errors:
            raise NotebookError(f"{self.path} shows errors:\n" + "\n".join(errors))

    def widget_problems(self) -> list[str]:
        """Widgets the kernel displayed that the page did not render as live widgets."""
        problems = []
        for info in self.cells():
            nodes = Cell(self, info.index).outputs
            for position, output in enumerate(info.outputs):
                if WIDGET_MIME not in output["mimes"]:
                    continue
                where = f"cell {info.index}, output {position}"
                if position >= nodes.count():
                    problems.append(f"{where}: not on the page")
                    continue
                node = nodes.nth(position)
                text = node.inner_text()
                if "Error displaying widget" in text or "Loading widget" in text:
                    problems.append(f"{where}: {text.strip()[:300]}")
                elif node.locator(".jupyter-widgets").count() == 0:
                    problems.append(
                        f"{where}: shown as text, not a widget ({text.strip()[:120]!r}); is the "
                        "jupyterlab_widgets extension installed and matching ipywidgets?"
                    )
        outputs_text = "\n".join(self.panel.locator(".jp-OutputArea-output").all_inner_texts())
        if re.search(r"IPY_MODEL_[0-9a-f]", outputs_text):
            problems.append("a widget is shown as its plain IPY_MODEL_ reference")
        return problems

    def widget_count(self) -> int:
        return sum(
            WIDGET_MIME in output["mimes"] for info in self.cells() for output in info.outputs
        )

    def assert_widgets_rendered(self, minimum: int = 1, timeout: float = 15.0) -> None:
        """Every widget output is a live widget (waiting for views that are still loading)."""
        deadline = time.monotonic() + timeout
        while (problems := self.widget_problems()) and time.monotonic() < deadline:
            self.page.wait_for_timeout(250)
        if self.widget_count() < minimum:
            problems.append(f"expected at least {minimum} widgets, found {self.widget_count()}")
        if problems:
            raise NotebookError(f"{self.path}: " + "; ".join(problems))

    def screenshot(self, path: Path) -> Path:
        """The whole notebook as a learner scrolls through it: a viewport as tall as the page."""
        self.activate()
        self.page.evaluate(
            "() => { const s = window.jupyterapp.shell; s.collapseLeft(); s.collapseRight(); }"
        )
        original = self.page.viewport_size or {"width": 1280, "height": 900}
        scroller = "(p) => window.__course.panel(p).node.querySelector('.jp-WindowedPanel-outer')"
        height = self.page.evaluate(
            f"""(p) => {{ const scroller = ({scroller})(p);
                 return scroller.scrollHeight + window.innerHeight - scroller.clientHeight; }}""",
            self.path,
        )
        self.page.set_viewport_size({"width": original["width"], "height": min(height, 20_000)})
        try:
            self.page.evaluate(f"(p) => {{ ({scroller})(p).scrollTop = 0; }}", self.path)
            self.page.wait_for_timeout(300)  # one layout pass at the new size
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(original)
        return path


class Cell:
    """One cell of an open notebook, by index."""

    def __init__(self, notebook: Notebook, index: int) -> None:
        self.notebook = notebook
        self.page = notebook.page
        self.index = index
        self.locator: Locator = notebook.panel.locator(".jp-Notebook .jp-Cell").nth(index)

    @property
    def info(self) -> CellInfo:
        return self.notebook.cells()[self.index]

    @property
    def outputs(self) -> Locator:
        return self.locator.locator(".jp-OutputArea-output")

    def output_text(self) -> str:
        return "\n".join(self.outputs.all_inner_texts())

    def widget(self) -> Locator:
        """The cell's first live widget (its outermost ``.jupyter-widgets`` view)."""
        return self.outputs.locator(".jupyter-widgets").first

    def select(self) -> None:
        """Click the cell's prompt area: selects it in command mode, as a learner's click does."""
        self.notebook.activate()
        self.locator.locator(".jp-InputPrompt").first.click()

    def run(self, timeout: float = 60.0) -> None:
        """Select the cell and press Ctrl+Enter; wait for its execution to finish."""
        before = self.info.execution_count
        self.select()
        self.page.keyboard.press("Control+Enter")
        self.page.wait_for_function(
            """([p, i, before]) => { const c = window.__course.cells(p)[i];
                 return c.executionCount !== null && c.executionCount !== before
                   && !c.running; }""",
            arg=[self.notebook.path, self.index, before],
            timeout=timeout * 1000,
        )
        self.notebook.wait_idle(timeout)

    def uncomment(self, line_prefix: str) -> None:
        """Remove the ``# `` before the line starting ``# {line_prefix}``, typing as a learner."""
        lines = self.info.source.splitlines()
        commented = f"# {line_prefix}"
        number = next((i for i, line in enumerate(lines) if line.startswith(commented)), None)
        if number is None:
            raise LookupError(f"cell {self.index} has no line starting {commented!r}")
        self.locator.locator(".cm-content").click()
        keyboard = self.page.keyboard
        keyboard.press("Control+Home")
        for _ in range(number):
            keyboard.press("ArrowDown")
        keyboard.press("Home")
        keyboard.press("Delete")
        keyboard.press("Delete")
        keyboard.press("Escape")
        lines[number] = lines[number].removeprefix("# ")
        if self.info.source.splitlines() != lines:
            raise AssertionError(f"editing cell {self.index} went wrong:\n{self.info.source}")

    def insert(self, source: str, *, above: bool = False) -> Cell:
        """Insert a code cell below (command mode ``b``; ``a`` above) and type ``source`` in it."""
        self.select()
        self.page.keyboard.press("a" if above else "b")
        new = Cell(self.notebook, self.index if above else self.index + 1)
        new.locator.locator(".cm-content").click()
        self.page.keyboard.type(source)
        self.page.keyboard.press("Escape")
        return new
