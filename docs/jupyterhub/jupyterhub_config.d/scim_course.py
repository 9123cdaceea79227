"""JupyterHub configuration: each learner's workshop token reaches their own server.

A configuration snippet that JupyterHub loads like ``jupyterhub_config.py`` (``c`` is its config):

- The Littlest JupyterHub: copy it to ``/opt/tljh/config/jupyterhub_config.d/scim_course.py``,
  then ``sudo tljh-config reload hub``.
- Zero to JupyterHub: ``hub.extraFiles`` mounts it into
  ``/usr/local/etc/jupyterhub/jupyterhub_config.d/`` (see ``z2jh/config.yaml``).

When a learner's server starts, it reads the tokens CSV that ``scim-course workshop prepare``
wrote (header ``name,role,token``) and gives the server two environment variables:
``SCIM_SERVER_URL`` and, for the row whose ``name`` is the hub username and whose role is
``learner``, ``SCIM_AUTH_TOKEN``. The file is read at every start, so adding latecomers
(re-running prepare) needs no hub restart. A user without a learner row gets both variables
empty, which the course reads as unset (its own embedded server), and the hub log says why.
The instructor's token never goes into any server's environment.

Standard library only: the hub's Python environment does not have the course installed.
Two settings, from the hub's environment (Z2JH: ``hub.extraEnv``), default to The Littlest
JupyterHub layout of docs/jupyterhub.md.
"""

import csv
import os
import stat

# Names start with scim_course/SCIM_COURSE: Z2JH runs this file in its own config's namespace.
#: Where prepare wrote the tokens; readable by the hub, by nobody else.
SCIM_COURSE_TOKENS = os.environ.get("SCIM_COURSE_TOKENS_CSV", "/var/lib/scim-course/tokens.csv")
#: The workshop server's SCIM base URL, as the learners' servers reach it.
SCIM_COURSE_URL = os.environ.get("SCIM_COURSE_SERVER_URL", "http://127.0.0.1:8000/scim/v2")


def scim_course_token(spawner):
    """``(token, "")`` for ``spawner.user.name``'s learner row, else ``(None, why not)``."""
    name = spawner.user.name
    try:
        mode = os.stat(SCIM_COURSE_TOKENS).st_mode
        if mode & stat.S_IRWXO:
            return None, (
                f"{SCIM_COURSE_TOKENS} is open to other users (mode {stat.S_IMODE(mode):o}), so no "
                f"token is handed out: run `chmod 600 {SCIM_COURSE_TOKENS}` (owner and hub only)"
            )
        with open(SCIM_COURSE_TOKENS, newline="", encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                if row.get("name") == name and row.get("role") == "learner":
                    if row.get("token"):
                        return row["token"], ""
                    return None, f"the row of {name!r} in {SCIM_COURSE_TOKENS} has no token"
    except OSError as error:
        return None, (
            f"cannot read {SCIM_COURSE_TOKENS} ({error.strerror}): write it with "
            f"`scim-course workshop prepare --tokens {SCIM_COURSE_TOKENS}`, or set the hub's "
            "SCIM_COURSE_TOKENS_CSV to where it is"
        )
    return None, (
        f"{name!r} has no learner row in {SCIM_COURSE_TOKENS}: add the name to the names file, "
        "re-run `scim-course workshop prepare`, then ask them to restart their server "
        "from the hub's home page (/hub/home: Stop My Server, then Start My Server)"
    )


def scim_course_server_url(spawner):
    """The server's URL for a learner with a token; empty (the course's own server) otherwise."""
    token, _ = scim_course_token(spawner)
    return SCIM_COURSE_URL if token else ""


def scim_course_auth_token(spawner):
    """The learner's token; empty, with one warning in the hub log saying why, otherwise."""
    token, why = scim_course_token(spawner)
    if token:
        return token
    spawner.log.warning(
        "scim-course: no workshop token for %s; their chapters use the course's own server. %s.",
        spawner.user.name,
        why,
    )
    return ""


# `c` is JupyterHub's config in both loaders. Not `c = get_config()`: Z2JH executes this file
# inside its own jupyterhub_config.py, where get_config is a different function.
# update, not =, keeps the variables that other configuration gives every server. A spawner
# class's own section wins over Spawner's (Z2JH sets c.KubeSpawner.environment from
# singleuser.extraEnv), so TLJH's and Z2JH's spawners, and any *Spawner section configured so
# far, get the update too; traitlets merges it into a dict set there before or after.
scim_course_environment = {
    "SCIM_SERVER_URL": scim_course_server_url,
    "SCIM_AUTH_TOKEN": scim_course_auth_token,
}
scim_course_sections = {"Spawner", "SystemdSpawner", "KubeSpawner"}
scim_course_sections.update(key for key in c if key.endswith("Spawner"))  # noqa: F821
for scim_course_section in sorted(scim_course_sections):
    c[scim_course_section].environment.update(scim_course_environment)  # noqa: F821
