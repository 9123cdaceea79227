"""The widgets, driven headlessly: set a control's value or call a handler, then read the state."""

from __future__ import annotations

from scim_helper.tenant import Tenant
from scim_helper.widgets import DirectoryExplorer, FilterPlayground, PatchBuilder
from scim_helper.widgets.patch_builder import parse_value
from sync_app.scim.group import Group

from .conftest import Seeded


def test_explorer_lists_groups_and_their_members(seeded: Seeded) -> None:
    """The explorer starts on the first group and lists its members by name."""
    explorer = DirectoryExplorer(seeded.client)
    assert explorer.group_select.value == seeded.group_id
    assert [label for label, _ in explorer.group_select.options] == ["Dunder Mifflin"]
    assert {value for _, value in explorer.member_select.options} == set(seeded.user_ids.values())
    assert "15 members" in explorer.summary.value


def test_explorer_shows_a_persons_json_on_click(seeded: Seeded) -> None:
    """Selecting a member fetches the user and shows their table and JSON."""
    explorer = DirectoryExplorer(seeded.client)
    explorer.member_select.value = seeded.user_ids["Pam Beesly"]
    assert explorer.person is not None and explorer.person["userName"] == "pbeesly"
    assert "pam.beesly@dundermifflin.com" in explorer.detail.value
    assert "&quot;userName&quot;: &quot;pbeesly&quot;" in explorer.detail.value
    assert "Selected: pbeesly" in explorer.text()


def test_explorer_refresh_sees_new_groups(seeded: Seeded) -> None:
    """Refresh reads the server again and keeps the selected group."""
    explorer = DirectoryExplorer(seeded.client)
    seeded.client.create_group(Group(displayName="Finer Things Club"))
    explorer.refresh_button.click()
    names = [label for label, _ in explorer.group_select.options]
    assert names == ["Dunder Mifflin", "Finer Things Club"]
    assert explorer.group_select.value == seeded.group_id
    explorer.group_select.value = explorer.group_select.options[1][1]
    assert explorer.member_select.options == ()
    assert "Finer Things Club (0 members)" in explorer.text()


def test_playground_runs_the_filter_as_typed(seeded: Seeded) -> None:
    """Typing a filter runs it: results, the request URL and no error."""
    playground = FilterPlayground(seeded.client)
    assert playground.result is not None and playground.result["totalResults"] == 1
    playground.filter.value = 'title eq "Sales Representative"'
    assert playground.error is None
    assert playground.result is not None
    assert {u["userName"] for u in playground.result["Resources"]} == {
        "jhalpert", "abernard", "shudson", "pvance",
    }  # fmt: skip
    assert "filter=title+eq" in playground.url or "filter=title%20eq" in playground.url
    assert "4 of 4 results" in playground.text()


def test_playground_shows_the_scim_error_live(seeded: Seeded) -> None:
    """A filter the server rejects shows its status, scimType and detail instead of results."""
    playground = FilterPlayground(seeded.client)
    playground.filter.value = 'nosuchattribute eq "x"'
    assert playground.result is None and playground.error is not None
    assert "400 invalidFilter" in playground.status.value
    assert playground.results.value == ""
    assert "invalidFilter" in playground.text()


def test_playground_switches_to_groups(seeded: Seeded) -> None:
    """Switching the resource type runs the filter against /Groups."""
    playground = FilterPlayground(seeded.client, filter='displayName sw "Dunder"')
    playground.resource_type.value = "Groups"
    assert playground.result is not None
    assert [g["displayName"] for g in playground.result["Resources"]] == ["Dunder Mifflin"]
    assert "/Groups" in playground.url


def test_patch_builder_previews_the_json(seeded: Seeded) -> None:
    """Changing op, path or value updates the PatchOp JSON preview before anything is sent."""
    builder = PatchBuilder(seeded.client, target="mscott")
    assert builder.body()["Operations"] == [{"op": "replace", "path": "active", "value": False}]
    builder.path.value = 'emails[type eq "work"].value'
    builder.value.value = "michael.scott@michaelscottpaper.com"
    assert builder.operation()["value"] == "michael.scott@michaelscottpaper.com"
    assert "emails[type eq \\&quot;work\\&quot;].value" in builder.preview.value
    assert builder.result is None


def test_patch_builder_applies_the_operation(seeded: Seeded) -> None:
    """Apply sends the PATCH to the target found by userName and shows the updated resource."""
    builder = PatchBuilder(seeded.client, target="mscott")
    builder.apply_button.click()
    assert builder.error is None and builder.result is not None
    assert builder.result["active"] is False
    michael = Tenant(seeded.client).user("mscott")
    assert michael is not None and michael["active"] is False
    assert "inactive" in builder.outcome.value


def test_patch_builder_on_a_group_and_its_errors(seeded: Seeded) -> None:
    """On Groups the target is a displayName; a bad path shows the server's scimType."""
    builder = PatchBuilder(seeded.client, resource_type="Groups", target="Dunder Mifflin")
    builder.op.value = "remove"
    builder.path.value = f'members[value eq "{seeded.user_ids["Michael Scott"]}"]'
    builder.value.value = ""
    builder.apply()
    assert builder.result is not None and len(builder.result["members"]) == 14
    builder.op.value = "add"
    builder.path.value = "members"
    builder.value.value = '[{"value": "no-such-user"}]'
    builder.apply()
    assert builder.error is not None
    assert "400 invalidValue" in builder.outcome.value
    assert "400 invalidValue" in builder.text()
    builder.path.value = "nosuchattribute"
    builder.apply()
    assert "ValidationError" in builder.outcome.value  # the client refuses it before sending


def test_value_box_reads_json_or_text() -> None:
    """The value box is JSON where it parses (false, lists), plain text otherwise."""
    assert parse_value("false") is False
    assert parse_value('[{"value": "x"}]') == [{"value": "x"}]
    assert parse_value("pam@example.com") == "pam@example.com"
    assert parse_value("  ") is None


def test_widgets_have_a_text_form_for_papermill(seeded: Seeded) -> None:
    """Each widget's mimebundle carries a deterministic text/plain next to the widget view."""
    for widget in (
        DirectoryExplorer(seeded.client),
        FilterPlayground(seeded.client),
        PatchBuilder(seeded.client, target="mscott"),
    ):
        bundle = widget._repr_mimebundle_()
        assert bundle["text/plain"] == widget.text()
        assert "application/vnd.jupyter.widget-view+json" in bundle
        assert seeded.tenant.token not in bundle["text/plain"]
