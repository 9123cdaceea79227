"""The instructor's page: the sign-in form, the live table (HTML and its script).

The script polls ``progress.json`` every :data:`POLL_SECONDS` seconds (polling rather than
server-sent events: any of the server processes can answer it, with nothing to keep open) and
writes every value with ``textContent``, never as HTML: hints and names come from learners.
"""

from __future__ import annotations

import html

POLL_SECONDS = 2

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em;color:#1f2328}
table{border-collapse:collapse;font-size:14px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:center}
th.name,td.name{text-align:left}
td.pass{background:#dafbe1;color:#1a7f37;font-weight:bold}
td.hint{background:#fff8c5;color:#9a6700}
tr.stuck td.name{background:#ffebe9;font-weight:bold}
.muted{color:#656d76}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def sign_in(message: str = "") -> str:
    """The form that takes the instructor token once (it then lives in an HttpOnly cookie)."""
    note = f"<p role='alert'>{html.escape(message)}</p>" if message else ""
    return _page(
        "Workshop: sign in",
        "<h1>Workshop progress</h1>"
        f"{note}"
        "<form method='post' action='/workshop/login'>"
        "<label>Instructor token (the row with role <code>instructor</code> in the tokens "
        "file) <input type='password' name='token' autocomplete='off' required></label> "
        "<button type='submit'>Sign in</button></form>",
    )


def view(same_hint: int, quiet_minutes: int) -> str:
    """The live table; its data comes from ``progress.json``."""
    return _page(
        "Workshop progress",
        "<h1>Workshop progress</h1>"
        f"<p>Learners × exercises, updated every {POLL_SECONDS} s. ✓ passed; "
        "<em>hint ×n</em>: the check's last answer was a hint (n reports in all; hover "
        "for the hint). "
        f"<strong>Stuck</strong> (our rule): the same hint {same_hint} times in a row, or a "
        f"hint still open and no ✓ for {quiet_minutes} minutes.</p>"
        "<p><a href='/workshop/progress.csv' download>Export CSV</a> · "
        "<span id='summary' class='muted'>loading…</span></p>"
        "<table id='progress'><thead></thead><tbody></tbody></table>"
        "<form method='post' action='/workshop/logout'><button>Sign out</button></form>"
        "<script src='/workshop/view.js'></script>",
    )


SCRIPT = """
"use strict";
function cell(tag, text, cls) {
  const el = document.createElement(tag);
  el.textContent = text;
  if (cls) el.className = cls;
  return el;
}
async function refresh() {
  let room;
  try {
    const response = await fetch("/workshop/progress.json", {credentials: "same-origin"});
    if (response.status === 401) { location.reload(); return; }
    room = await response.json();
  } catch (error) {
    document.getElementById("summary").textContent = "server unreachable; retrying";
    return;
  }
  const head = document.createElement("tr");
  head.append(cell("th", "learner", "name"), cell("th", "✓"), cell("th", "stuck"));
  for (const exercise of room.exercises) {
    const th = cell("th", exercise.split("/").pop());
    th.title = exercise;
    head.append(th);
  }
  const rows = [];
  let stuck = 0;
  for (const learner of room.learners) {
    const tr = document.createElement("tr");
    tr.dataset.learner = learner.name;
    if (learner.stuck) { tr.className = "stuck"; stuck += 1; }
    tr.append(cell("td", learner.name, "name"), cell("td", String(learner.passed)),
              cell("td", learner.stuck || ""));
    for (const exercise of room.exercises) {
      const entry = learner.progress[exercise];
      let td;
      if (!entry) td = cell("td", "");
      else if (entry.outcome === "pass") td = cell("td", "✓", "pass");
      else { td = cell("td", "hint ×" + entry.reports, "hint"); td.title = entry.hint || ""; }
      td.dataset.exercise = exercise;
      tr.append(td);
    }
    rows.push(tr);
  }
  document.querySelector("#progress thead").replaceChildren(head);
  document.querySelector("#progress tbody").replaceChildren(...rows);
  document.getElementById("summary").textContent =
    room.learners.length + " learners, " + stuck + " stuck, updated " +
    new Date(room.at * 1000).toLocaleTimeString();
}
refresh();
setInterval(refresh, POLL_MS);
""".replace("POLL_MS", str(POLL_SECONDS * 1000))
