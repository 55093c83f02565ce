"""The counterexample as one self-contained HTML page (inline CSS and JS, no network).

``render_html(story, replay=...)`` returns the page; ``write_html`` saves it. The
story (see ``_story``) is embedded as JSON in a ``<script type="application/json">``
element and drawn by the page's own script: swimlanes per process grouped by node,
messages as arrows, crash, pause and partition bands, the wait-for graph with its
cycle, a livelock's lasso, the histories per client with the longest linearizable
prefix, and the state after any step (docs/viewer.md).
"""
from __future__ import annotations

import html
import json
import os
import tempfile
from pathlib import Path

from ._page_css import CSS
from ._page_js import SCRIPT_CORE
from ._page_js_panels import SCRIPT_PANELS


def _json_for_script(data) -> str:
    """JSON that cannot end its <script> element early: no "<" appears in it at all."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c")


def title_of(story) -> str:
    v = story["outcome"].get("violation")
    what = f'property "{v["property"]}" violated' if v else f"run held ({story['outcome'].get('end')})"
    return f"{what} — {story['model']}"


def render_html(story, replay: str = "") -> str:
    """The page for ``story``; ``replay`` is the command to copy (``detsim replay PATH``)."""
    data = dict(story, replay=replay)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>detsim: {html.escape(title_of(story))}</title>
<style>{CSS}</style>
</head>
<body>
<header id="top"></header>
<section id="toolbar"></section>
<section id="timeline-box"><div id="timeline"></div></section>
<section id="panels">
  <div id="step-panel" class="panel"></div>
  <div id="side-panel" class="panel"></div>
</section>
<section id="steps-box" class="panel"></section>
<script type="application/json" id="story">{_json_for_script(data)}</script>
<script>{SCRIPT_CORE}</script>
<script>{SCRIPT_PANELS}</script>
</body>
</html>
"""


def write_html(story, path, replay: str = "") -> Path:
    """Write the page to ``path`` whole or not at all (a temporary file is renamed into place)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_html(story, replay)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
