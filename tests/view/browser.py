"""Headless Chromium for the viewer's tests, through Selenium and the distribution's
chromium-driver (never a downloaded browser). CI installs both (.ci/run); a machine
without them fails these tests with the command that installs them, unless
DETSIM_NO_BROWSER=1 says so on a developer's machine (never in CI)."""
import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from tests.support import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = REPO / "test-artifacts"  # screenshots of the pages the tests opened (listed in .gitignore)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")


def open_browser(profile: Path):
    """A headless Chromium with a new empty profile; fails (never skips) when missing."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        if os.environ.get("DETSIM_NO_BROWSER") == "1" and not os.environ.get("CI"):
            pytest.skip("DETSIM_NO_BROWSER=1: no browser on this machine")
        pytest.fail("headless Chromium is needed: apt-get install -y chromium chromium-driver "
                    f"(looked for {CHROMIUM} and {DRIVER})")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)


def load(driver, path: Path, timeout: float = 60.0) -> None:
    """Open a page from disk and wait until its script says it has drawn everything."""
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.rendered === 'yes'"))


def screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    assert driver.save_screenshot(str(path)), f"no screenshot saved to {path}"
    return path
