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

#: Where prepare wrote the tokens; readable by the hub, by nobody else.
TOKENS_CSV = os.environ.get("SCIM_COURSE_TOKENS_CSV", "/var/lib/scim-course/tokens.csv")
#: The workshop server's SCIM base URL, as the learners' servers reach it.
SERVER_URL = os.environ.get("SCIM_COURSE_SERVER_URL", "http://127.0.0.1:8000/scim/v2")


def scim_course_token(spawner):
    """``(token, "")`` for ``spawner.user.name``'s learner row, else ``(None, why not)``."""
    name = spawner.user.name
    try:
        mode = os.stat(TOKENS_CSV).st_mode
        if mode & stat.S_IRWXO:
            return None, (
                f"{TOKENS_CSV} is open to other users (mode {stat.S_IMODE(mode):o}), so no "
                f"token is handed out: run `chmod 600 {TOKENS_CSV}` (owner and hub only)"
            )
        with open(TOKENS_CSV, newline="", encoding="utf-8") as rows:
            for row in csv.DictReader(rows):
                if row.get("name") == name and row.get("role") == "learner":
                    if row.get("token"):
                        return row["token"], ""
                    return None, f"the row of {name!r} in {TOKENS_CSV} has no token"
    except OSError as error:
        return None, (
            f"cannot read {TOKENS_CSV} ({error.strerror}): run `scim-course workshop prepare "
            f"--tokens {TOKENS_CSV}` there, or set SCIM_COURSE_TOKENS_CSV for the hub"
        )
    return None, (
        f"{name!r} has no learner row in {TOKENS_CSV}: add the name to the names file, "
        "re-run `scim-course workshop prepare`, then ask them to restart their server "
        "from the hub's home page (/hub/home: Stop My Server, then Start My Server)"
    )


def scim_course_server_url(spawner):
    """``SERVER_URL`` for a learner with a token; empty (the course's own server) otherwise."""
    token, _ = scim_course_token(spawner)
    return SERVER_URL if token else ""


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


# update, not =: keeps the variables that other configuration gives every server.
c = get_config()  # noqa: F821 (JupyterHub's config loader defines get_config)
c.Spawner.environment.update(
    {
        "SCIM_SERVER_URL": scim_course_server_url,
        "SCIM_AUTH_TOKEN": scim_course_auth_token,
    }
)
