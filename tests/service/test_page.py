"""The web page in headless Chromium (Debian's chromium + chromedriver) against the live server: key, submit, result."""

import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as visible
from selenium.webdriver.support.ui import WebDriverWait

from tests.service.conftest import LIVE_API_KEY

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="Chromium or chromedriver not found; .ci/run installs Debian's "
                                       "chromium and chromium-driver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1366,768")


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    with tempfile.TemporaryDirectory() as profile:
        for flag in (*FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def _wait(driver, element_id):
    return WebDriverWait(driver, 20).until(visible.visibility_of_element_located((By.ID, element_id)))


def test_dispatcher_pastes_a_message_and_sees_the_classification(browser, live_server, tiny_classifier):
    browser.get(live_server.url + "/")
    assert "12345" in browser.title
    # No key yet: the page asks for it (the key box opens when /version answers 401).
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.ID, "key-box").get_attribute("open") is not None)
    browser.find_element(By.ID, "api-key").send_keys(LIVE_API_KEY)
    browser.find_element(By.ID, "save-key").click()
    WebDriverWait(browser, 20).until(lambda d: "模型" in d.find_element(By.ID, "service-info").text)

    browser.find_element(By.ID, "ticket-title").send_keys("工资拖欠")
    browser.find_element(By.ID, "ticket-content").send_keys("老板拖欠我们三个月工资，多次讨要无果，请劳动部门处理。")
    browser.find_element(By.ID, "classify-button").click()
    _wait(browser, "dispatch-output")

    category = browser.find_element(By.ID, "category").text
    assert category in tiny_classifier.category.labels
    assert browser.find_element(By.ID, "type").text in tiny_classifier.request_type.labels
    bars = browser.find_elements(By.CSS_SELECTOR, "#category-scores li")
    assert len(bars) == tiny_classifier.taxonomy.top_k and bars[0].text.startswith(category)
    units = browser.find_elements(By.CSS_SELECTOR, "#routing tbody tr")
    assert units and all(row.find_elements(By.TAG_NAME, "td")[0].text for row in units)
    flag = browser.find_element(By.ID, "review-flag").text
    assert flag.startswith(("需人工复核", "可直接派单")) and "阈值 80.0%" in flag


def test_an_empty_message_shows_a_clear_error_on_the_field(browser, live_server):
    browser.get(live_server.url + "/")  # the key stays in this tab's session storage
    browser.find_element(By.ID, "classify-button").click()
    error = _wait(browser, "dispatch-error")
    assert "不能都为空" in error.text
    assert browser.find_element(By.ID, "ticket-content").get_attribute("aria-invalid") == "true"
    assert not browser.find_element(By.ID, "dispatch-output").is_displayed()
