"""The HTML page in a real browser (headless Chromium): lanes, the wait-for cycle, the
property, history bars with the linearizable prefix and the first unplaceable
operation, and a click on a step that shows the state after it. Screenshots are
saved under test-artifacts/."""
import pytest
from selenium.webdriver.common.by import By

import detsim
from detsim.campaign import story
from detsim.view import write_html
from tests.monitor.test_livelock import Cycler
from tests.view.browser import load, open_browser, screenshot
from tests.view.models import StaleCache, Tellers


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = open_browser(tmp_path_factory.mktemp("chromium-profile"))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def tellers_page(tmp_path_factory):
    result = detsim.check(Tellers(), detsim.Random(0), runs=50)
    _, told = story(result.trace, Tellers())
    folder = tmp_path_factory.mktemp("pages")
    return result, told, write_html(told, folder / "tellers.html", "detsim replay tellers.json")


def texts(driver, css):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def test_the_deadlock_page_draws_lanes_cycle_property_and_history(browser, tellers_page):
    result, told, page = tellers_page
    load(browser, page)
    assert browser.find_element(By.ID, "property").text == "no deadlock"
    assert {"teller-0", "teller-1"} <= set(texts(browser, "text.lane-label"))
    cycle_edges = browser.find_elements(By.CSS_SELECTOR, "#waitfor line.edge.cycle")
    assert len(cycle_edges) == len(result.violation.cycle) == 4
    assert "teller-0 → account-b → teller-1 → account-a → teller-0" in browser.find_element(By.ID, "cycle-text").text
    ops = browser.find_elements(By.CSS_SELECTOR, "#timeline-svg g.op")
    assert len(ops) == len(told["histories"][0]["ops"]) and ops[0].size["width"] > 2
    marks = browser.find_elements(By.CSS_SELECTOR, "#timeline-svg rect.mark")
    assert len(marks) == result.violation.step
    assert len(browser.find_elements(By.CSS_SELECTOR, "rect.mark.dev")) == len(
        {d["step"] for d in told["decisions"] if d["dev"]})
    assert browser.find_element(By.ID, "replay").text == "detsim replay tellers.json"
    screenshot(browser, "tellers-deadlock.png")


def test_clicking_a_step_shows_the_state_after_it(browser, tellers_page):
    result, told, page = tellers_page
    load(browser, page)
    step = next(s for s in told["steps"] if "acquired account-a" in s["said"])
    browser.find_element(By.CSS_SELECTOR, f'rect.mark[data-step="{step["i"]}"]').click()
    head = browser.find_element(By.ID, "step-head").text
    assert head.startswith(f"step {step['i']} at t=0: {step['p']}")
    changed = {row.get_attribute("data-key"): row.text for row in
               browser.find_elements(By.CSS_SELECTOR, "#state-table tr.changed")}
    assert "accounts" in changed and "held by teller-0" in changed["accounts"]
    assert "state()" in changed
    browser.find_element(By.CSS_SELECTOR, f'#steps-table tr[data-step="{step["i"] + 1}"]').click()
    assert browser.find_element(By.ID, "step-head").text.startswith(f"step {step['i'] + 1} ")
    assert browser.find_element(By.ID, "slider").get_attribute("value") == str(step["i"] + 1)
    screenshot(browser, "tellers-step.png")


def test_a_non_linearizable_history_marks_its_prefix_and_first_unplaceable_op(browser, tmp_path):
    result = detsim.check(StaleCache(), detsim.Random(0), runs=300)
    _, told = story(result.trace, StaleCache())
    load(browser, write_html(told, tmp_path / "kv.html"))
    (h,) = told["histories"]
    assert browser.find_element(By.ID, "property").text == "the kv history is linearizable"
    assert len(browser.find_elements(By.CSS_SELECTOR, "g.op.bad")) == 1
    assert len(browser.find_elements(By.CSS_SELECTOR, "g.op.prefix")) == len(h["prefix"])
    assert browser.find_element(By.CSS_SELECTOR, "g.op.bad").get_attribute("data-op") == str(h["bad"])
    screenshot(browser, "kv-not-linearizable.png")


def test_a_livelock_page_draws_its_lasso(browser, tmp_path):
    result = detsim.check(Cycler(), detsim.Random(0), runs=20)
    _, told = story(result.trace, Cycler())
    load(browser, write_html(told, tmp_path / "livelock.html"))
    assert browser.find_element(By.ID, "property").text == "no livelock"
    band = browser.find_element(By.ID, "lasso-cycle")
    assert float(band.get_attribute("width")) > 0
    listed = browser.find_element(By.ID, "lasso").text
    assert "('loop', 0)" in listed and "↺ back to step" in listed
    screenshot(browser, "livelock-lasso.png")
