"""The counterexample page at scale, and the screenshots in docs/.

    python bench/viewer.py                 # a 5,000-step Raft run: build time, page size,
                                           # render time in headless Chromium (median of 5 loads)
    python bench/viewer.py --screenshots   # also regenerate docs/viewer-*.png

Render time is what the page's own script measures: ``readyAt`` (ms from navigation
start until everything is drawn and the first step is selected) and ``renderMs`` (the
scripts alone). Chromium runs headless with the distribution's chromium-driver.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import detsim  # noqa: E402
from detsim.campaign import story  # noqa: E402
from detsim.view import write_html  # noqa: E402
from models.raft import Raft  # noqa: E402
from tests.view.browser import load, open_browser  # noqa: E402

BIG_RAFT = dict(servers=5, clients=4, ops=40, think=8, horizon=500, heal_at=400, within=60)


def big_raft_page(folder: Path):
    model = Raft(**BIG_RAFT)
    run = detsim.run(model, detsim.Random(1))
    trace = run.trace.save(folder / "raft-5k.json")
    started = time.perf_counter()
    _, told = story(run.trace, model)
    built = time.perf_counter() - started
    started = time.perf_counter()
    page = write_html(told, folder / "raft-5k.html", f"detsim replay {trace}")
    return run, page, built, time.perf_counter() - started


def measure(driver, page: Path, loads: int = 5) -> dict:
    ready, scripts = [], []
    for _ in range(loads):
        load(driver, page)
        ready.append(int(driver.execute_script("return document.body.dataset.readyAt")))
        scripts.append(int(driver.execute_script("return document.body.dataset.renderMs")))
    return {"readyAt ms (median)": statistics.median(ready), "readyAt ms (max)": max(ready),
            "script ms (median)": statistics.median(scripts)}


def screenshots(driver, folder: Path) -> None:
    """The three pictures the README shows, from freshly found and shrunk counterexamples."""
    from models.crdt import TwoPSet
    from models.dining_philosophers import DiningPhilosophers
    from models.raft import CRASH_FAULTS
    cases = [("viewer-philosophers.png", DiningPhilosophers(bug="circular-wait"), 0, 100),
             ("viewer-raft-figure8.png", Raft(bug="figure8", faults=CRASH_FAULTS), 0, 300),
             ("viewer-2pset.png", TwoPSet(bug="remove-before-add"), 0, 200)]
    for name, model, seed, runs in cases:
        result = detsim.check(model, detsim.Random(seed), runs=runs)
        trace = result.trace.save(folder / name.replace(".png", ".json"))
        _, told = story(result.trace, model)
        page = write_html(told, folder / name.replace(".png", ".html"),
                          f"detsim replay .detsim/failures/{trace.name}")
        driver.set_window_size(1400, 1000)
        load(driver, page)
        driver.save_screenshot(str(ROOT / "docs" / name))
        print(f"docs/{name}: {result.violation.property}, {len(result.trace.deviations())} deviation(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--screenshots", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="detsim-viewer-"))
    run, page, built, written = big_raft_page(folder)
    print(f"Raft {BIG_RAFT}: {run.steps} steps, {len(run.trace.decisions)} decisions")
    print(f"story (re-execution with the recorder): {built:.2f} s; page written in {written:.2f} s; "
          f"{page.stat().st_size / 1e6:.1f} MB")
    driver = open_browser(folder / "profile")
    try:
        for key, value in measure(driver, page).items():
            print(f"{key}: {value}")
        if args.screenshots:
            screenshots(driver, folder)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
