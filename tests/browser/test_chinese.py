"""The main journeys in Simplified Chinese, in Chromium: catalogue, course page, enrol, RSVP, a mail."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from training.demo.accounts import DEMO_PASSWORD
from training.demo.i18n import DEMO_RSVP_TOKEN_ZH
from training.outbox.models import OutboxMessage

BEIJING_ZH = "美国执法人员网络犯罪侦查培训班"


@pytest.fixture
def chinese_page(browser: Browser) -> Iterator[Page]:
    """A browser whose language is Chinese (Accept-Language: zh-CN)."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def _no_horizontal_overflow(page: Page, selector: str) -> None:
    """No cell, label or button in selector is clipped, and nothing sticks out of the page's column."""
    clipped = page.evaluate(
        """selector => [...document.querySelectorAll(
                selector + ' :is(th, td, label, button, .button, .badge, a, dt, dd, legend)')]
            .filter(el => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1
                    && getComputedStyle(el).overflow !== 'visible')
            .map(el => el.tagName + ':' + el.textContent.trim().slice(0, 40))""",
        selector,
    )
    assert clipped == []
    sticking_out = page.evaluate(
        """selector => {
            const main = document.querySelector('main');
            const style = getComputedStyle(main);
            const right = main.getBoundingClientRect().right - parseFloat(style.paddingRight);
            const scrolls = el => {  // inside a box that scrolls sideways: reachable, not sticking out
              for (let up = el.parentElement; up && up !== main; up = up.parentElement) {
                if (['auto', 'scroll'].includes(getComputedStyle(up).overflowX)) return true;
              }
              return false;
            };
            return [...document.querySelectorAll(selector + ' *')]
              .filter(el => el.offsetParent !== null && el.getBoundingClientRect().right > right + 1
                      && !scrolls(el))
              .map(el => el.tagName + '.' + el.className + ':' + el.textContent.trim().slice(0, 30));
        }""",
        selector,
    )
    assert sticking_out == []
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_catalogue_and_course_page_in_chinese(chinese_page: Page, demo_server: str,
                                              screenshot_dir: Path) -> None:
    page = chinese_page
    page.goto(demo_server)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("main h1")).to_have_text("即将开班的培训班")
    catalogue = page.locator("table.catalogue")
    expect(catalogue).to_contain_text(BEIJING_ZH)
    expect(catalogue).to_contain_text("中国")
    expect(catalogue).to_contain_text("美国")
    expect(catalogue).to_contain_text("10 天")
    expect(catalogue).not_to_contain_text("United States")
    _no_horizontal_overflow(page, "main")
    page.screenshot(path=str(screenshot_dir / "catalogue-zh.png"), full_page=True)

    page.click(f"text={BEIJING_ZH}")
    expect(page.locator(".course-header h1")).to_contain_text(BEIJING_ZH)
    main = page.locator("main")
    expect(main).to_contain_text("每日课表")
    expect(main).to_contain_text("第 1 天")
    expect(main.locator(".schedule-day h3").first).to_contain_text("周")  # the weekday, as Chinese writes it
    expect(main).to_contain_text("讲授")
    expect(main).to_contain_text("根据中美两国关于互相培训执法人员打击网络犯罪的协议")
    _no_horizontal_overflow(page, "main")
    page.screenshot(path=str(screenshot_dir / "course-zh.png"), full_page=False)

    page.click("text=周视图")
    expect(page.locator("main")).to_contain_text("第 1 周，共 2 周")
    _no_horizontal_overflow(page, "main")
    page.screenshot(path=str(screenshot_dir / "week-zh.png"), full_page=True)


def test_signing_up_and_enrolling_in_chinese(chinese_page: Page, demo_server: str, screenshot_dir: Path,
                                             demo_database_url: str) -> None:
    page = chinese_page
    page.goto(f"{demo_server}/signup")
    expect(page.locator("main h1")).to_have_text("创建账户")
    page.click("input[type=submit]")  # empty: WTForms' own messages, in Chinese
    expect(page.locator("#name-error")).to_contain_text("该字段是必填字段。")
    page.screenshot(path=str(screenshot_dir / "signup-errors-zh.png"), full_page=True)
    page.fill("input[name=name]", "Zhou Min")
    page.fill("input[name=email]", "zhou.min@example.org")
    page.select_option("select[name=country]", "US")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.fill("input[name=confirm]", DEMO_PASSWORD)
    expect(page.locator("select[name=locale]")).to_have_value("zh_Hans")  # the language being read
    page.click("input[type=submit]")
    expect(page.locator("main h1")).to_have_text("请查收邮件")
    # The account opens from the link the sign-up mailed (read from the outbox the server wrote).
    engine = sa.create_engine(demo_database_url)
    with engine.connect() as connection:
        confirmation = connection.execute(
            sa.select(OutboxMessage.body).where(OutboxMessage.recipient == "zhou.min@example.org")
        ).scalar_one()
    engine.dispose()
    page.goto(demo_server + re.search(r"/signup/\S+", confirmation).group(0))
    page.click("main input[type=submit], main button[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("欢迎您，Zhou Min")

    page.goto(demo_server)
    page.click(f"text={BEIJING_ZH}")
    page.click("text=申请席位")
    expect(page.locator(".flash")).to_contain_text("正在等待协调员审批")
    expect(page.locator(".enrolment-panel")).to_contain_text("待审批")
    _no_horizontal_overflow(page, ".course-side")

    # The mail that request queued, in the language the page was read in when signing up.
    engine = sa.create_engine(demo_database_url)
    with engine.connect() as connection:
        subject, body = connection.execute(
            sa.select(OutboxMessage.subject, OutboxMessage.body)
            .where(OutboxMessage.recipient == "zhou.min@example.org").order_by(OutboxMessage.id.desc())
        ).first()
    engine.dispose()
    assert subject == f"您报名{BEIJING_ZH}的申请正在等待审批"
    page.set_content(
        "<!doctype html><html lang='zh-Hans'><head><meta charset='utf-8'>"
        f"<link rel='stylesheet' href='{demo_server}/static/training.css'></head>"
        "<body><main class='content'><section class='card mail-view'>"
        "<dl class='facts'><dt>收件人</dt><dd>zhou.min@example.org</dd>"
        f"<dt>主题</dt><dd><strong>{html.escape(subject)}</strong></dd></dl>"
        f"<pre class='mail-body'>{html.escape(body)}</pre></section></main></body></html>")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshot_dir / "mail-zh.png"), full_page=True)


def test_a_chinese_invitee_answers_on_a_chinese_rsvp_page(page: Page, demo_server: str,
                                                         screenshot_dir: Path) -> None:
    # An English browser: the page follows the language chosen at invitation.
    page.goto(f"{demo_server}/rsvp/{DEMO_RSVP_TOKEN_ZH}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("中美打击网络恐怖主义研讨会")
    expect(page.locator("main")).to_contain_text("致 Huang Mei（CNCERT/CC）的邀请")
    page.check("input[value=tentative]")
    page.fill("textarea[name=delegates]", "Huang Mei")
    page.fill("textarea[name=note]", "需要同声传译耳机。")
    page.click("input[type=submit]")
    expect(page.locator(".flash-success")).to_contain_text("您的回复已记录")
    expect(page.locator(".current-answer")).to_contain_text("当前回复：待定")
    _no_horizontal_overflow(page, "main")
    page.screenshot(path=str(screenshot_dir / "rsvp-zh.png"), full_page=True)


def test_a_focal_point_reads_their_countrys_rosters_in_chinese(
        page: Page, demo_server: str, screenshot_dir: Path) -> None:
    sign_in(page, demo_server, "cn-focal@demo.training", DEMO_PASSWORD)
    page.click("button[lang=zh-Hans]")  # the switch; remembered in Wang Lei's profile
    page.goto(f"{demo_server}/country/rosters")
    expect(page.locator("main h1")).to_contain_text("中国学员")
    _no_horizontal_overflow(page, "main")
    page.screenshot(path=str(screenshot_dir / "roster-zh.png"), full_page=True)


def test_a_coordinator_reads_the_course_form_and_its_errors_in_chinese(
        page: Page, demo_server: str, screenshot_dir: Path) -> None:
    sign_in(page, demo_server, "coordinator@demo.training", DEMO_PASSWORD)
    page.click("button[lang=zh-Hans]")
    page.goto(f"{demo_server}/courses/new")
    expect(page.locator("main h1")).to_have_text("新建培训班")
    page.click("input[type=submit]")  # almost empty: WTForms' messages in Chinese
    expect(page.locator("#city-error")).to_contain_text("该字段是必填字段。")
    page.fill("input[name=title]", "Countering online fraud")
    page.fill("input[name=title_zh]", "Countering online fraud")  # not Chinese: refused
    page.select_option("select[name=host_country]", "CN")
    page.fill("input[name=city]", "Beijing")
    page.fill("input[name=starts_on]", "2031-03-10")
    page.fill("input[name=ends_on]", "2031-03-12")
    page.fill("input[name=capacity]", "15")
    page.click("input[type=submit]")
    expect(page.locator("#title_zh-error")).to_contain_text("中文名称必须使用汉字书写。")
    expect(page.locator("main")).to_contain_text("中文读者将看到此名称，而非原名称。")
    _no_horizontal_overflow(page, "main")
    page.screenshot(path=str(screenshot_dir / "course-form-zh.png"), full_page=True)
