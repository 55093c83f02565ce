"""The counterexample page stays usable for a long Raft run: a 5,000-step trace is
drawn in headless Chromium within a generous bound (bench/viewer.py measures it), and
a click in the middle still shows the state after that step."""
import pytest
from selenium.webdriver.common.by import By

import detsim
from detsim.campaign import story
from detsim.view import write_html
from models.raft import Raft
from tests.view.browser import load, open_browser, screenshot

BIG_RAFT = dict(servers=5, clients=4, ops=40, think=8, horizon=500, heal_at=400, within=60)
BOUND_MS = 15_000  # generous: the page is drawn in about a second here (bench/README.md)


@pytest.fixture(scope="module")
def raft_page(tmp_path_factory):
    model = Raft(**BIG_RAFT)
    run = detsim.run(model, detsim.Random(1))
    assert run.steps >= 5000
    _, told = story(run.trace, model)
    return run, told, write_html(told, tmp_path_factory.mktemp("pages") / "raft.html")


def test_a_5000_step_raft_page_renders_and_answers_clicks(raft_page, tmp_path):
    run, told, page = raft_page
    driver = open_browser(tmp_path / "profile")
    try:
        load(driver, page)
        ready = int(driver.execute_script("return document.body.dataset.readyAt"))
        assert ready < BOUND_MS, f"the page took {ready} ms to draw"
        assert len(driver.find_elements(By.CSS_SELECTOR, "#timeline-svg rect.mark")) == run.steps
        assert len(driver.find_elements(By.CSS_SELECTOR, "#timeline-svg line.msg")) > 500
        assert {"node s1", "node c4"} <= {e.text for e in driver.find_elements(By.CSS_SELECTOR, "text.group-label")}
        middle = next(s for s in told["steps"][run.steps // 2:] if s["task"] and s["p"].startswith("s"))
        driver.execute_script("window.detsim.select(arguments[0])", middle["i"])
        assert driver.find_element(By.ID, "step-head").text.startswith(f"step {middle['i']} ")
        rows = driver.find_elements(By.CSS_SELECTOR, "#state-table tr[data-key]")
        assert any(r.get_attribute("data-key").startswith("live.s1.") for r in rows)
        screenshot(driver, "raft-5000-steps.png")
    finally:
        driver.quit()
