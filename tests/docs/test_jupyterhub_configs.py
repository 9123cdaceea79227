"""The JupyterHub guide's config files (docs/jupyterhub/): loaded, parsed, and run for real.

The hub snippet is loaded by traitlets' own config loader (as JupyterHub loads it) into a real
``jupyterhub.spawner.Spawner``, and its environment callables run against a real tokens CSV.
The Z2JH values, the server manifest and the systemd unit are parsed and checked for the keys
each needs, and against each other (names, ports, paths).
"""

from __future__ import annotations

import configparser
import logging
import re
import shlex
import shutil
import stat
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from jupyterhub.spawner import LocalProcessSpawner, Spawner
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from scim_helper.cli import build_parser
from tests.docs.hub import (
    DOCKERFILE,
    GUIDE,
    HUB_SNIPPET,
    LEARNERS,
    ROOT,
    TLJH_UNIT,
    Z2JH_SERVER,
    Z2JH_VALUES,
    instructor_row,
    prepare_room,
    token_of,
    write_tokens_csv,
)

URL = "http://127.0.0.1:8000/scim/v2"


def load_snippet(monkeypatch: pytest.MonkeyPatch, tokens: Path, url: str = URL) -> Config:
    """The hub snippet as JupyterHub loads it, told where the tokens and the server are."""
    monkeypatch.setenv("SCIM_COURSE_TOKENS_CSV", str(tokens))
    monkeypatch.setenv("SCIM_COURSE_SERVER_URL", url)
    return PyFileConfigLoader(HUB_SNIPPET.name, path=str(HUB_SNIPPET.parent)).load_config()


def environment_for(
    config: Config, username: str, spawner_class: type[Spawner] = Spawner
) -> dict[str, str]:
    """What the snippet's callables give ``username``'s server (JupyterHub calls them so)."""
    spawner = spawner_class(config=config, user=SimpleNamespace(name=username))
    return {
        key: value(spawner) if callable(value) else value
        for key, value in spawner.environment.items()
    }


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One room, prepared once: prepare is a whole program run."""
    return prepare_room(tmp_path_factory.mktemp("room"))


@pytest.fixture
def tokens(prepared: Path, tmp_path: Path) -> Path:
    """This test's own copy of the room's tokens file (mode kept), free to chmod or delete."""
    return Path(shutil.copy2(prepared, tmp_path / prepared.name))


def test_the_tokens_file_is_readable_by_its_owner_only(prepared: Path) -> None:
    """prepare's CSV is 0600: the hub (root on TLJH) reads it, the learners' users do not."""
    assert stat.S_IMODE(prepared.stat().st_mode) == 0o600


def test_each_learner_gets_the_server_url_and_their_own_token(
    monkeypatch: pytest.MonkeyPatch, tokens: Path
) -> None:
    """Two learners: the workshop URL for both, each their own row's token."""
    config = load_snippet(monkeypatch, tokens)
    pam, jim = environment_for(config, "pam"), environment_for(config, "jim")
    assert pam == {"SCIM_SERVER_URL": URL, "SCIM_AUTH_TOKEN": token_of(tokens, "pam")}
    assert jim == {"SCIM_SERVER_URL": URL, "SCIM_AUTH_TOKEN": token_of(tokens, "jim")}
    assert pam["SCIM_AUTH_TOKEN"] != jim["SCIM_AUTH_TOKEN"]


def test_the_csv_is_read_at_each_spawn_so_latecomers_need_no_hub_restart(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A row added after the hub loaded its config is honoured at the next start."""
    tokens = tmp_path / "tokens.csv"
    write_tokens_csv(tokens, [("pam", "learner", "token-of-pam")])
    config = load_snippet(monkeypatch, tokens)
    assert environment_for(config, "kevin")["SCIM_AUTH_TOKEN"] == ""
    tokens.unlink()
    write_tokens_csv(tokens, [("pam", "learner", "token-of-pam"), ("kevin", "learner", "tk")])
    assert environment_for(config, "kevin") == {"SCIM_SERVER_URL": URL, "SCIM_AUTH_TOKEN": "tk"}


def test_an_unknown_user_gets_empty_variables_and_one_clear_log_line(
    monkeypatch: pytest.MonkeyPatch, tokens: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No row: both variables empty (the course's own server), and the log says what to do."""
    config = load_snippet(monkeypatch, tokens)
    with caplog.at_level(logging.WARNING):
        assert environment_for(config, "dwight") == {"SCIM_SERVER_URL": "", "SCIM_AUTH_TOKEN": ""}
    (record,) = caplog.records
    message = record.getMessage()
    assert "no workshop token for dwight" in message
    assert f"'dwight' has no learner row in {tokens}" in message
    assert "re-run `scim-course workshop prepare`" in message
    assert all(token_of(tokens, name) not in message for name in LEARNERS)


def test_the_instructor_row_is_never_put_in_a_server_environment(
    monkeypatch: pytest.MonkeyPatch, tokens: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A hub user named like the instructor's row gets nothing: the token stays in the CSV."""
    row = instructor_row(tokens)
    config = load_snippet(monkeypatch, tokens)
    with caplog.at_level(logging.WARNING):
        environment = environment_for(config, row["name"])
    assert environment == {"SCIM_SERVER_URL": "", "SCIM_AUTH_TOKEN": ""}
    assert row["token"] not in caplog.text


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o606])
def test_a_tokens_file_open_to_other_users_hands_out_nothing(
    monkeypatch: pytest.MonkeyPatch, tokens: Path, caplog: pytest.LogCaptureFixture, mode: int
) -> None:
    """Readable by others means leaked already: no token, and the log says chmod 600."""
    tokens.chmod(mode)
    config = load_snippet(monkeypatch, tokens)
    with caplog.at_level(logging.WARNING):
        assert environment_for(config, "pam") == {"SCIM_SERVER_URL": "", "SCIM_AUTH_TOKEN": ""}
    assert f"is open to other users (mode {mode:o})" in caplog.text
    assert f"chmod 600 {tokens}" in caplog.text


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o440, 0o640])
def test_owner_and_group_modes_are_accepted(
    monkeypatch: pytest.MonkeyPatch, tokens: Path, mode: int
) -> None:
    """0440 is how the Z2JH Secret volume is mounted (config.yaml); owner-only is TLJH's."""
    tokens.chmod(mode)
    config = load_snippet(monkeypatch, tokens)
    assert environment_for(config, "pam")["SCIM_AUTH_TOKEN"] == token_of(tokens, "pam")


def test_a_missing_tokens_file_says_to_run_prepare(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Before prepare ran: empty variables, and where the file was expected."""
    missing = tmp_path / "nowhere" / "tokens.csv"
    config = load_snippet(monkeypatch, missing)
    with caplog.at_level(logging.WARNING):
        assert environment_for(config, "pam") == {"SCIM_SERVER_URL": "", "SCIM_AUTH_TOKEN": ""}
    assert f"cannot read {missing} (No such file or directory)" in caplog.text
    assert f"`scim-course workshop prepare --tokens {missing}`" in caplog.text


def test_the_snippet_keeps_the_environment_other_config_set(
    monkeypatch: pytest.MonkeyPatch, tokens: Path, tmp_path: Path
) -> None:
    """Loaded after a config that sets Spawner.environment, it adds to it (update, not =)."""
    main = tmp_path / "jupyterhub_config.py"
    main.write_text(
        "c = get_config()  # noqa\n"
        "c.Spawner.environment = {'EDITOR': 'vim'}\n"
        f"load_subconfig({str(HUB_SNIPPET)!r})\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SCIM_COURSE_TOKENS_CSV", str(tokens))
    monkeypatch.setenv("SCIM_COURSE_SERVER_URL", URL)
    config = PyFileConfigLoader(main.name, path=str(tmp_path)).load_config()
    environment = environment_for(config, "jim")
    assert environment == {
        "EDITOR": "vim",
        "SCIM_SERVER_URL": URL,
        "SCIM_AUTH_TOKEN": token_of(tokens, "jim"),
    }


# Spawner classes named as TLJH's and Z2JH's: traitlets configures a class by its name (and
# JupyterHub wants start/stop/poll, so they are LocalProcessSpawner's here).
SystemdSpawner = type("SystemdSpawner", (LocalProcessSpawner,), {})
TLJHCustomSpawner = type("CustomSpawner", (SystemdSpawner,), {})
KubeSpawner = type("KubeSpawner", (LocalProcessSpawner,), {})


def test_a_spawner_section_that_sets_environment_keeps_ours(
    monkeypatch: pytest.MonkeyPatch, tokens: Path, tmp_path: Path
) -> None:
    """A class's own environment (Z2JH: singleuser.extraEnv) would hide Spawner's: ours merge."""
    main = tmp_path / "jupyterhub_config.py"
    main.write_text(
        "c = get_config()  # noqa\n"
        "c.KubeSpawner.environment = {'EDITOR': 'vim'}\n"
        "c.SystemdSpawner.environment = {'PAGER': 'less'}\n"
        f"load_subconfig({str(HUB_SNIPPET)!r})\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SCIM_COURSE_TOKENS_CSV", str(tokens))
    monkeypatch.setenv("SCIM_COURSE_SERVER_URL", URL)
    config = PyFileConfigLoader(main.name, path=str(tmp_path)).load_config()
    ours = {"SCIM_SERVER_URL": URL, "SCIM_AUTH_TOKEN": token_of(tokens, "pam")}
    assert environment_for(config, "pam", KubeSpawner) == {"EDITOR": "vim", **ours}
    assert environment_for(config, "pam", TLJHCustomSpawner) == {"PAGER": "less", **ours}


def test_without_settings_the_snippet_uses_the_tljh_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The defaults are the unit's state directory and its loopback port (tljh/)."""
    monkeypatch.delenv("SCIM_COURSE_TOKENS_CSV", raising=False)
    monkeypatch.delenv("SCIM_COURSE_SERVER_URL", raising=False)
    namespace = _snippet_namespace()
    service = _unit()["Service"]
    state = Path("/var/lib") / service["StateDirectory"]
    assert Path(namespace["SCIM_COURSE_TOKENS"]).parent == state
    serve = _serve_options(shlex.split(service["ExecStart"]))
    assert namespace["SCIM_COURSE_URL"] == f"http://{serve['--host']}:{serve['--port']}/scim/v2"


# -- The Littlest JupyterHub: the systemd unit -------------------------------------------------


def _unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=True)
    unit.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are cased
    unit.read(TLJH_UNIT, encoding="utf-8")
    return unit


def _serve_options(argv: list[str]) -> dict[str, str]:
    """``--option value`` pairs after ``workshop serve``."""
    start = argv.index("serve")
    assert argv[start - 1] == "workshop", argv
    options = argv[start + 1 :]
    return dict(zip(options[::2], options[1::2], strict=True))


def _z2jh_get_config(key: str, default: Any = None) -> Any:
    """Z2JH's jupyterhub_config.py has its own get_config: a chart value by key."""
    return default


def _snippet_namespace(config: Config | None = None) -> dict[str, Any]:
    """The snippet run as Z2JH runs jupyterhub_config.d files: exec'd in its config's globals."""
    namespace: dict[str, Any] = {"c": config or Config(), "get_config": _z2jh_get_config}
    exec(compile(HUB_SNIPPET.read_text(encoding="utf-8"), HUB_SNIPPET.name, "exec"), namespace)
    return namespace


def test_the_snippet_runs_the_way_z2jh_loads_config_files(
    monkeypatch: pytest.MonkeyPatch, tokens: Path
) -> None:
    """Exec'd in a namespace whose get_config is Z2JH's, it still configures `c` and works."""
    monkeypatch.setenv("SCIM_COURSE_TOKENS_CSV", str(tokens))
    monkeypatch.setenv("SCIM_COURSE_SERVER_URL", URL)
    before = Config()
    before.KubeSpawner.environment = {"EDITOR": "vim"}  # as Z2JH sets it, before this file
    config = _snippet_namespace(before)["c"]
    assert environment_for(config, "pam", KubeSpawner) == {
        "EDITOR": "vim",
        "SCIM_SERVER_URL": URL,
        "SCIM_AUTH_TOKEN": token_of(tokens, "pam"),
    }


def test_tljh_unit_runs_the_server_as_its_own_user_from_the_user_environment() -> None:
    """User, ExecStart from /opt/tljh/user, SQLite in the 0700 state directory, one process."""
    service = _unit()["Service"]
    assert service["User"] == "scim-course"
    assert service["StateDirectoryMode"] == "0700"
    argv = shlex.split(service["ExecStart"])
    assert argv[0] == "/opt/tljh/user/bin/scim-course"
    serve = _serve_options(argv)
    state = Path("/var/lib") / service["StateDirectory"]
    assert Path(serve["--db"]).parent == state
    assert serve["--processes"] == "1"  # SQLite: one process (the workshop interface)
    assert serve["--host"] == "127.0.0.1"  # the learners' servers are on this machine
    environment = dict(item.split("=", 1) for item in shlex.split(service["Environment"]))
    assert Path(environment["SCIM_COURSE_DATA_DIR"]) == state
    assert _unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_documented_commands_parse_with_the_real_cli() -> None:
    """The unit's and the manifest's serve lines are accepted by `scim-course workshop`."""
    parser = build_parser("workshop")
    unit_argv = shlex.split(_unit()["Service"]["ExecStart"])[1:]
    parser.parse_args(unit_argv)
    container = _server_container()
    parser.parse_args(
        [arg.replace("$(SCIM_COURSE_DB)", "postgresql://u@h/db") for arg in container["args"]]
    )


# -- Zero to JupyterHub: the chart values and the server manifest ------------------------------


def _values() -> dict[str, Any]:
    values = yaml.safe_load(Z2JH_VALUES.read_text(encoding="utf-8"))
    assert isinstance(values, dict)
    return values


def _manifests() -> dict[str, dict[str, Any]]:
    documents = list(yaml.safe_load_all(Z2JH_SERVER.read_text(encoding="utf-8")))
    return {document["kind"]: document for document in documents}


def _server_container() -> dict[str, Any]:
    (container,) = _manifests()["Deployment"]["spec"]["template"]["spec"]["containers"]
    return dict(container)


def test_z2jh_values_mount_the_hub_snippet_where_the_hub_loads_config() -> None:
    """hub.extraFiles: the very snippet, by --set-file, into jupyterhub_config.d."""
    files = _values()["hub"]["extraFiles"]
    (key,) = files
    assert files[key]["mountPath"] == (
        "/usr/local/etc/jupyterhub/jupyterhub_config.d/scim_course.py"
    )
    # The chart requires one of data/stringData/binaryData: the helm command gives stringData.
    assert "stringData" not in files[key]
    flag = f"--set-file hub.extraFiles.{key}.stringData=docs/jupyterhub/jupyterhub_config.d/"
    assert flag + "scim_course.py" in Z2JH_VALUES.read_text(encoding="utf-8")
    assert (ROOT / "docs/jupyterhub/jupyterhub_config.d/scim_course.py") == HUB_SNIPPET


def test_z2jh_values_mount_the_tokens_secret_where_the_snippet_reads_it() -> None:
    """SCIM_COURSE_TOKENS_CSV lies in the read-only mount of the scim-course-tokens Secret."""
    hub = _values()["hub"]
    tokens = Path(hub["extraEnv"]["SCIM_COURSE_TOKENS_CSV"])
    (mount,) = [m for m in hub["extraVolumeMounts"] if Path(m["mountPath"]) == tokens.parent]
    assert mount["readOnly"] is True
    assert "subPath" not in mount  # a subPath mount would not see an updated Secret
    (volume,) = [v for v in hub["extraVolumes"] if v["name"] == mount["name"]]
    assert volume["secret"]["secretName"] == "scim-course-tokens"
    assert volume["secret"]["defaultMode"] & stat.S_IRWXO == 0
    assert volume["secret"]["defaultMode"] & stat.S_IRUSR


def test_z2jh_values_point_the_learners_at_the_server_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The URL the hub hands out names the Service, its port, and the SCIM base path."""
    extra_env = _values()["hub"]["extraEnv"]
    service = _manifests()["Service"]
    (port,) = service["spec"]["ports"]
    expected = f"http://{service['metadata']['name']}:{port['port']}/scim/v2"
    assert extra_env["SCIM_COURSE_SERVER_URL"] == expected
    for key, value in extra_env.items():
        monkeypatch.setenv(key, value)
    namespace = _snippet_namespace()
    assert namespace["SCIM_COURSE_URL"] == expected
    assert namespace["SCIM_COURSE_TOKENS"] == extra_env["SCIM_COURSE_TOKENS_CSV"]


def test_z2jh_values_let_user_pods_reach_the_server_and_nothing_more() -> None:
    """singleuser.networkPolicy.egress: the server's pods, on the server's port only."""
    singleuser = _values()["singleuser"]
    assert "egressAllowRules" not in singleuser["networkPolicy"]  # privateIPs stays off
    (rule,) = singleuser["networkPolicy"]["egress"]
    (peer,) = rule["to"]
    pod_labels = _manifests()["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert peer["podSelector"]["matchLabels"].items() <= pod_labels.items()
    (port,) = rule["ports"]
    (container_port,) = _server_container()["ports"]
    assert (port["port"], port["protocol"]) == (
        container_port["containerPort"],
        container_port["protocol"],
    )


def test_z2jh_values_use_the_course_image_for_learners() -> None:
    """singleuser.image name and tag are set (the chart requires both); cmd is the image's."""
    singleuser = _values()["singleuser"]
    assert set(singleuser["image"]) == {"name", "tag"}
    assert singleuser["cmd"] is None
    assert _server_container()["image"] == (
        f"{singleuser['image']['name']}:{singleuser['image']['tag']}"
    )


def test_z2jh_server_runs_several_processes_on_postgresql_from_a_secret() -> None:
    """workshop serve --db $(SCIM_COURSE_DB) from the Secret, several processes, all addresses."""
    container = _server_container()
    assert container["command"] == ["scim-course"]
    serve = _serve_options(container["args"])
    assert serve["--db"] == "$(SCIM_COURSE_DB)"
    assert int(serve["--processes"]) >= 2
    assert serve["--host"] == "0.0.0.0"
    (port,) = container["ports"]
    assert int(serve["--port"]) == port["containerPort"]
    (variable,) = [e for e in container["env"] if e["name"] == "SCIM_COURSE_DB"]
    assert variable["valueFrom"]["secretKeyRef"] == {"name": "scim-course-db", "key": "url"}
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_z2jh_service_selects_the_server_pods_on_the_named_port() -> None:
    """Service selector ⊆ pod labels, and its targetPort is the container's port name."""
    manifests = _manifests()
    deployment, service = manifests["Deployment"], manifests["Service"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["type"] == "ClusterIP"  # not exposed outside the cluster
    (port,) = service["spec"]["ports"]
    (container_port,) = _server_container()["ports"]
    assert port["targetPort"] == container_port["name"]


def test_the_image_installs_the_course_with_its_postgres_extra() -> None:
    """The Dockerfile installs the built wheel with [postgres], an extra pyproject defines."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.count("\nFROM ") == 1
    assert '"$1[postgres]"' in text
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "\npostgres = [" in pyproject


# -- The guide itself ----------------------------------------------------------------------------


def test_the_guide_links_only_to_files_that_exist() -> None:
    """Every relative link in docs/jupyterhub.md names a file of this repository."""
    text = GUIDE.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(((?!https?://|#)[^)]+)\)", text)
    assert targets, "the guide links to its config files"
    for target in targets:
        assert (GUIDE.parent / target).is_file(), target


def test_the_guide_gives_the_same_commands_as_the_config_files() -> None:
    """The helm flag, the unit's serve line and the snippet's defaults, as the guide shows them."""
    guide = " ".join(GUIDE.read_text(encoding="utf-8").split())
    (flag,) = re.findall(r"--set-file hub\.\S+", Z2JH_VALUES.read_text(encoding="utf-8"))
    assert flag in guide
    serve = shlex.split(_unit()["Service"]["ExecStart"])[1:]
    assert "`scim-course " + " ".join(serve) + "`" in guide
    namespace = _snippet_namespace()
    assert f"`{namespace['SCIM_COURSE_TOKENS']}`" in guide
    assert f"`{namespace['SCIM_COURSE_URL']}`" in guide
