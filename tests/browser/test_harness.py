"""The browser harness checks itself on throwaway notebooks: a green chapter test means something.

Each behaviour the chapter tests rely on is shown here once on a notebook whose outcome is known:
outputs are read, a traceback is caught, widgets render and answer a click and a keystroke, and a
``%load``-ed solution turns a check from hint to ✓.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.browser.notebook import Lab, NotebookError
from tests.fixtures.local import TenantLogin

pytestmark = pytest.mark.browser

SELFTEST_DIR = "_browser_selftest"

WIDGET_CELL = """\
import ipywidgets as widgets

button = widgets.Button(description="Press me")
typed = widgets.Text(placeholder="type here")
echo = widgets.Label("nothing yet")
button.on_click(lambda _: setattr(echo, "value", "pressed"))
typed.observe(lambda change: setattr(echo, "value", f"typed {change['new']}"), "value")
widgets.VBox([button, typed, echo])"""

CHECK_CELL = """\
print("✓ answer is right" if globals().get("answer") == 42 else "Hint: set answer to 42")"""


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


@pytest.fixture(scope="module")
def selftest_dir(course_copy: Path) -> Path:
    """Throwaway notebooks (and a solution to %load) inside the folder JupyterLab serves."""
    folder = course_copy / SELFTEST_DIR
    (folder / "solutions").mkdir(parents=True, exist_ok=True)
    (folder / "solutions" / "answer.py").write_text("answer = 6 * 7\nprint('answer set')\n")
    nbformat.write(
        _notebook(
            'print("hello from the kernel")',
            'import os\nprint("server:", os.environ.get("SCIM_SERVER_URL", "unset"))\n'
            'print("token set:", bool(os.environ.get("SCIM_AUTH_TOKEN")))',
            WIDGET_CELL,
            CHECK_CELL,
        ),
        folder / "selftest.ipynb",
    )
    nbformat.write(_notebook("1 / 0", 'print("never reached")'), folder / "broken.ipynb")
    return folder


def test_run_all_shows_outputs_and_widgets_that_answer(
    lab: Lab, lab_tenant: TenantLogin, selftest_dir: Path, browser_artifacts: Path
) -> None:
    """Run All executes every cell; outputs, widgets, clicks and keystrokes are all visible."""
    notebook = lab.open(f"{SELFTEST_DIR}/selftest.ipynb")
    notebook.run_all()
    notebook.assert_no_errors()
    notebook.assert_widgets_rendered(minimum=1)
    assert "hello from the kernel" in notebook.cell("hello").output_text()
    environment = notebook.cell("SCIM_SERVER_URL").output_text()
    assert f"server: {lab_tenant.url}" in environment, "kernels inherit the lab's environment"
    assert "token set: True" in environment

    widget = notebook.cell("widgets.VBox").widget()
    echo = widget.locator("div.widget-label")
    assert echo.inner_text() == "nothing yet"
    widget.locator("button", has_text="Press me").click()
    echo.filter(has_text="pressed").wait_for()
    widget.locator("input[type=text]").fill("scranton")
    echo.filter(has_text="typed scranton").wait_for()

    check = notebook.cell("Hint: set answer")
    assert "Hint" in check.output_text()
    loaded = check.insert("%load solutions/answer.py", above=True)
    loaded.run()  # %load replaces the cell with the file ...
    assert "answer = 6 * 7" in loaded.info.source
    loaded.run()  # ... and the second run executes it
    assert "answer set" in loaded.output_text()
    check = notebook.cell("Hint: set answer")
    check.run()
    assert "✓ answer is right" in check.output_text()

    notebook.screenshot(browser_artifacts / "selftest.png")
    notebook.close()


def test_a_traceback_fails_the_notebook(lab: Lab, selftest_dir: Path) -> None:
    """A cell that raises fails Run All with its exception (even if later cells ran too)."""
    notebook = lab.open(f"{SELFTEST_DIR}/broken.ipynb")
    with pytest.raises(NotebookError, match="ZeroDivisionError"):
        notebook.run_all()
    notebook.close()
