"""The web page in headless Chromium (Debian's chromium + chromedriver) against the live server: key, submit, result,
for both views (派单分类, 答复核查)."""

import shutil
import tempfile

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as visible
from selenium.webdriver.support.ui import Select, WebDriverWait

from model.audit_results import ELEMENTS, ReplyTicket
from model.auditor import ReplyAuditor
from tests.service.conftest import LIVE_API_KEY
from tests.test_similar import REPEATS

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
    _wait(browser, "similar-section")  # the live server has an index of the sample tickets: nothing like this one
    assert "没有相似度达到 45.0%" in browser.find_element(By.ID, "similar-none").text
    assert not browser.find_element(By.ID, "similar").is_displayed()


def test_a_repeat_complaint_lists_the_earlier_ticket_with_its_evidence(browser, live_server):
    browser.get(live_server.url + "/")
    browser.execute_script("sessionStorage.setItem('hotline-api-key', arguments[0])", LIVE_API_KEY)
    browser.refresh()
    WebDriverWait(browser, 20).until(lambda d: "similar" in d.find_element(By.ID, "service-info").text)
    repeat = REPEATS["s002"]
    browser.find_element(By.ID, "ticket-title").send_keys(repeat.title)
    browser.find_element(By.ID, "ticket-content").send_keys(repeat.content)
    browser.find_element(By.ID, "classify-button").click()
    _wait(browser, "similar")
    rows = browser.find_elements(By.CSS_SELECTOR, "#similar tbody tr")
    assert rows[0].get_attribute("data-id") == "s002"
    ticket, score, evidence = (cell.text for cell in rows[0].find_elements(By.TAG_NAME, "td"))
    assert "金桂园小区物业擅自收取地面停车费" in ticket and "A3区住房和城乡建设局" in ticket
    assert score.endswith("%") and float(score[:-1]) >= 45 and "金桂园小区" in evidence
    assert not browser.find_element(By.ID, "similar-none").is_displayed()


def test_an_empty_message_shows_a_clear_error_on_the_field(browser, live_server):
    browser.get(live_server.url + "/")  # the key stays in this tab's session storage
    browser.find_element(By.ID, "classify-button").click()
    error = _wait(browser, "dispatch-error")
    assert "不能都为空" in error.text
    assert browser.find_element(By.ID, "ticket-content").get_attribute("aria-invalid") == "true"
    assert not browser.find_element(By.ID, "dispatch-output").is_displayed()


def test_submitting_again_while_waiting_sends_one_request(browser, live_server):
    """Ctrl+Enter calls requestSubmit, which a disabled button does not stop: the form itself must refuse."""
    browser.get(live_server.url + "/")
    browser.find_element(By.ID, "ticket-content").send_keys("小区门口路灯坏了一个月")
    browser.execute_script("""
        window.classifyCalls = 0;
        const realFetch = window.fetch;
        window.fetch = (url, options) => {
          if (String(url).endsWith("/classify")) window.classifyCalls += 1;
          return new Promise((resolve) => setTimeout(() => resolve(realFetch(url, options)), 800));
        };
        const form = document.getElementById("classify-button").form;
        form.requestSubmit(); form.requestSubmit(); form.requestSubmit();
    """)
    _wait(browser, "dispatch-output")
    assert browser.execute_script("return window.classifyCalls") == 1


def _open_reply_check(browser, url):
    browser.get(url + "/")
    browser.execute_script("sessionStorage.setItem('hotline-api-key', arguments[0])", LIVE_API_KEY)
    browser.refresh()
    browser.find_element(By.CSS_SELECTOR, "nav [data-view=reply-check]").click()
    _wait(browser, "audit-form")
    assert not browser.find_element(By.ID, "view-dispatch").is_displayed()


def test_a_unit_checks_a_draft_reply_and_sees_the_evidence_in_place(browser, live_server, tiny_auditor_dir):
    _open_reply_check(browser, live_server.url)
    ticket = ReplyTicket(
        title="公司拖欠工资", content="公司拖欠我们三个月工资，请劳动部门处理。",
        # An emoji (two UTF-16 units, one code point) and HTML before the spans: offsets and escaping must hold.
        reply="您好😀<b>！区劳动监察大队于5月6日约谈了公司负责人，公司已于5月10日补发全部工资，5月11日已电话告知您。",
        message_time="2020-05-04 09:00", reply_time="2020年5月12日", type="投诉")
    served = ReplyAuditor.load(tiny_auditor_dir)  # as the server loaded it from its directory
    expected = served.audit([ticket])[0]
    for name in ("title", "content", "message_time", "reply_time"):
        browser.find_element(By.ID, f"audit-{name.replace('_', '-')}").send_keys(getattr(ticket, name))
    # ChromeDriver types only characters of the Basic Multilingual Plane: the emoji goes in as a paste would put it
    browser.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));",
                           browser.find_element(By.ID, "audit-reply"), ticket.reply)
    Select(browser.find_element(By.ID, "audit-type")).select_by_visible_text("投诉")
    browser.find_element(By.ID, "audit-button").click()
    _wait(browser, "audit-output")

    verdict = browser.find_element(By.ID, "audit-verdict").text
    assert verdict.startswith("可能被退回重办" if expected.verdict == "redo" else "可以提交")
    shown = browser.find_element(By.ID, "redo-risk").text  # "9.1%（阈值 20.0%）": JS and Python round halves apart
    assert abs(float(shown.split("%")[0]) - expected.redo_risk * 100) <= 0.051, shown
    assert browser.find_element(By.ID, "audit-score").text == f"{expected.score:.1f}"
    states = {item.get_attribute("data-element"): item.get_attribute("class")
              for item in browser.find_elements(By.CSS_SELECTOR, "#audit-elements li")}
    assert states == {name: "present" if getattr(expected.elements, name).present else "missing" for name in ELEMENTS}
    for name in ELEMENTS:  # each element shows the probability that it is written and the threshold it is read at
        element = getattr(expected.elements, name)
        written = element.confidence if element.present else 1 - element.confidence
        shown = browser.find_element(By.CSS_SELECTOR, f'#audit-elements li[data-element="{name}"] .value').text
        assert shown == f"写明概率 {written * 100:.1f}%（阈值 {served.element_thresholds[name] * 100:.1f}%）"

    highlight = browser.find_element(By.ID, "audit-highlight")
    assert highlight.get_attribute("textContent") == ticket.reply  # the whole reply, escaped, nothing lost
    pieces = browser.execute_script(
        "return [...arguments[0].childNodes].map((n) => [n.textContent, n.tagName || '', n.dataset?.elements || ''])",
        highlight)
    marked, start = [], 0  # (start, end, elements) of each <mark>, in code points as the API counts
    for text, tag, elements in pieces:
        if tag == "MARK":
            marked.append((start, start + len(text), set(elements.split())))
        start += len(text)
    spans = [(name, span) for name in ELEMENTS for span in getattr(expected.elements, name).evidence]
    assert spans
    for name, span in spans:  # each span is tiled by marks of its element (one mark unless spans overlap)
        inside = [m for m in marked if m[0] < span.end and m[1] > span.start]
        assert inside[0][0] == span.start and inside[-1][1] == span.end
        assert all(name in m[2] for m in inside) and all(a[1] == b[0] for a, b in zip(inside, inside[1:]))
    assert any(ticket.reply[m[0]:m[1]] == span.text for m in marked for _, span in spans)
    assert any(len(m[2]) > 1 for m in marked)  # 已于5月10日补发 (result) holds 5月10日 (time)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#audit-legend li")) == 5
    assert "5 个工作日" in browser.find_element(By.ID, "audit-timeliness").text  # 2020's 调休 Saturday counted
    skeleton = browser.find_element(By.ID, "audit-skeleton").get_attribute("textContent")
    assert skeleton == expected.suggestions.skeleton
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": live_server.url,
                                                         "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    browser.find_element(By.ID, "copy-skeleton").click()
    WebDriverWait(browser, 10).until(lambda d: d.find_element(By.ID, "copy-status").text == "已复制")
    assert browser.execute_async_script("navigator.clipboard.readText().then(arguments[0])") == skeleton
    issues = browser.find_element(By.ID, "audit-issues").text
    assert all(issue.code in issues for issue in expected.issues)


def test_overlapping_spans_cut_the_text_without_losing_or_nesting_it(browser, live_server):
    _open_reply_check(browser, live_server.url)
    pieces = browser.execute_script("""
        const box = document.createElement("div");
        const none = { evidence: [] };
        highlightEvidence(box, "ab<c>😀de", {
          org: { evidence: [{ start: 0, end: 4, text: "ab<c", kind: "org:agent" }] },
          time: { evidence: [{ start: 2, end: 7, text: "<c>😀d", kind: "time:action" }] },
          process: none, result: none, contact: none });
        return [box.textContent, box.querySelectorAll("mark mark").length,
                [...box.querySelectorAll("mark")].map((m) => [m.textContent, m.dataset.elements])];""")
    assert pieces == ["ab<c>😀de", 0, [["ab", "org"], ["<c", "org time"], [">😀d", "time"]]]


def test_an_empty_reply_is_named_on_its_field(browser, live_server):
    _open_reply_check(browser, live_server.url)
    browser.find_element(By.ID, "audit-content").send_keys("路灯不亮")
    browser.find_element(By.ID, "audit-button").click()
    error = _wait(browser, "audit-error")
    assert "答复" in error.text and "不能为空" in error.text
    assert browser.find_element(By.ID, "audit-reply").get_attribute("aria-invalid") == "true"
