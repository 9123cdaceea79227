"""The course's widgets live in JupyterLab: rendered by the real frontend, answering clicks, keys.

The notebook is written here (the chapters do not display these widgets yet) and runs in the same
JupyterLab, against the same tenant, with the calls ``scim_helper.widgets`` documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Locator

from tests.browser.notebook import Lab, Notebook

pytestmark = pytest.mark.browser

NOTEBOOK = "_browser_widgets/widgets.ipynb"

CELLS = [
    """\
from scim_helper import course_server, course_setup
from scim_helper.widgets import DirectoryExplorer, FilterPlayground, PatchBuilder
from sync_app.client import ClientConfiguration, SCIMClient

server_url, auth_token = course_server(None, None)
client = SCIMClient(ClientConfiguration(server_url=server_url, auth_token=auth_token))
group_id, user_ids = course_setup(auth_token, server_url=server_url, reset=True)""",
    "DirectoryExplorer(client)",
    "FilterPlayground(client, filter='userName eq \"mscott\"')",
    'PatchBuilder(client, target="dschrute", op="replace", path="active", value="false")',
    'print("Dwight\'s title:", client.get_user(user_ids["Dwight Schrute"]).to_dict().get("title"))',
]


@pytest.fixture(scope="module")
def widgets_notebook(lab: Lab, course_copy: Path, browser_artifacts: Path) -> Iterator[Notebook]:
    """The widget notebook, run once with Run All; screenshot and close afterwards."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    (course_copy / NOTEBOOK).parent.mkdir(exist_ok=True)
    nbformat.write(nb, course_copy / NOTEBOOK)
    notebook = lab.open(NOTEBOOK)
    try:
        notebook.run_all()
        yield notebook
    finally:
        notebook.screenshot(browser_artifacts / "widgets.png")
        notebook.close()


def _typed(field: Locator, text: str) -> None:
    """Replace a text box's content key by key, as a learner types."""
    field.click()
    field.press("Control+A")
    field.press_sequentially(text)


def test_widgets_render_without_errors(widgets_notebook: Notebook) -> None:
    """All three widgets are live views, not text, not 'Error displaying widget'."""
    widgets_notebook.assert_no_errors()
    widgets_notebook.assert_widgets_rendered(minimum=3)


def test_explorer_shows_a_persons_json_on_click(widgets_notebook: Notebook) -> None:
    """Clicking a member of Dunder Mifflin shows that person's SCIM JSON."""
    explorer = widgets_notebook.cell("DirectoryExplorer(client)").widget()
    groups, members = explorer.locator("select").nth(0), explorer.locator("select").nth(1)
    assert "Dunder Mifflin" in groups.inner_text().replace("\xa0", " ")
    assert "Click a person" in explorer.inner_text()
    members.locator("option", has_text="Dwight Schrute").click()
    explorer.locator("pre", has_text='"userName": "dschrute"').wait_for()


def test_filter_playground_answers_as_you_type(widgets_notebook: Notebook) -> None:
    """Typing a filter changes the results; a broken one shows its scimType."""
    playground = widgets_notebook.cell("FilterPlayground(client").widget()
    assert "1 found" in playground.inner_text()
    field = playground.get_by_label("filter", exact=True)

    _typed(field, 'name.familyName eq "Halpert"')
    playground.locator("code", has_text="Halpert").wait_for()  # the request URL
    playground.locator(".widget-html", has_text="jhalpert").first.wait_for()
    assert "mscott" not in playground.inner_text()

    _typed(field, 'active eq "yes"')  # valid syntax, so the server is asked and says why not
    playground.get_by_text("400 invalidFilter").wait_for()


def test_patch_builder_previews_and_applies(widgets_notebook: Notebook) -> None:
    """Editing path and value updates the JSON preview; Apply changes the user on the server."""
    title = widgets_notebook.cell("Dwight's title:")
    title.run()
    assert "Dwight's title: Assistant to the Regional Manager" in title.output_text()
    builder = widgets_notebook.cell("PatchBuilder(client").widget()
    preview = builder.locator("pre").first
    assert '"path": "active"' in preview.inner_text()

    _typed(builder.get_by_label("path", exact=True), "title")
    _typed(builder.get_by_label("value", exact=True), '"Assistant Regional Manager"')
    # The preview follows each keystroke: wait for the last one to come back from the kernel.
    builder.locator("pre", has_text='"value": "Assistant Regional Manager"').wait_for()
    assert '"path": "title"' in preview.inner_text()

    builder.get_by_role("button", name="Apply").click()
    builder.get_by_text("Assistant Regional Manager", exact=True).wait_for()  # the updated user
    title.run()
    assert "Dwight's title: Assistant Regional Manager" in title.output_text()
