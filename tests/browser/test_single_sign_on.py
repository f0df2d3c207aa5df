"""Single sign-on in a real browser against a real OpenID provider: oidc-provider (npm, a
dev dependency) started by these tests with tests/browser/oidc_provider.mjs, signing in
through its development login form. The provider knows the app by one redirect URI, so the
app is served on a port chosen once for the session."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from casework.auth import oidc
from casework.extensions import db
from casework.models import AuditEvent
from tests.browser.checks import accessibility_violations
from tests.browser.conftest import serve
from tests.conftest import make_user

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
NODE = shutil.which("node") or "node"
CLIENT_ID = "casework-browser-tests"
CLIENT_SECRET = "a-client-secret-for-tests-only"
NOT_A_CASEWORK_ACCOUNT = (
    "Your account at single sign-on is not a Casework account here. "
    "Ask your administrator to add you."
)


@dataclass(frozen=True)
class Provider:
    issuer: str
    app_port: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def provider(tmp_path_factory):
    """oidc-provider on a free port of 127.0.0.1, for as long as the session lasts."""
    port, app_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{port}"
    callback = f"http://127.0.0.1:{app_port}/login/oidc/callback"
    log = (tmp_path_factory.mktemp("oidc") / "provider.log").open("w")
    process = subprocess.Popen(  # noqa: S603 (our own script, fixed arguments)
        [NODE, str(SCRIPT), str(port), CLIENT_ID, CLIENT_SECRET, callback],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(oidc.discovery_url(issuer), timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"oidc-provider did not start; see {log.name}")
            time.sleep(0.1)
        yield Provider(issuer, app_port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def app_config(provider):
    return {
        "OIDC_ISSUER": provider.issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }


@pytest.fixture
def live_server(app, provider):
    """The app on the port the provider's redirect URI names."""
    with serve(app, provider.app_port) as base:
        yield base


def refusal_reasons() -> list[tuple[str, str | None]]:
    """Why single sign-on was refused, from the audit trail, oldest first."""
    db.session.rollback()  # see what the server's threads committed
    events = select(AuditEvent).where(AuditEvent.action == "oidc_login_failed")
    return [(e.detail["reason"], e.detail.get("error")) for e in db.session.scalars(events)]


def sign_in_at_the_provider(page: Page, live_server: str, email: str) -> None:
    """From Casework's login page through the provider's development login and consent."""
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Log in with single sign-on").click()
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_known_user_signs_in_with_single_sign_on(page: Page, live_server, team):
    worker = make_user(team, "practitioner", email="eleisha@example.org")
    page.goto(f"{live_server}/login")
    expect(page.get_by_role("link", name="Log in with single sign-on")).to_be_visible()
    assert accessibility_violations(page) == []
    sign_in_at_the_provider(page, live_server, worker.email.upper())
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    assert page.url == f"{live_server}/"


def test_someone_without_a_casework_account_is_sent_back_with_a_plain_message(
    page: Page, live_server, team
):
    sign_in_at_the_provider(page, live_server, "stranger@example.org")
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_text(NOT_A_CASEWORK_ACCOUNT)).to_be_visible()
    assert refusal_reasons() == [("unknown_user", None)]
    assert accessibility_violations(page) == []


def test_a_tampered_state_is_refused(page: Page, live_server, team):
    worker = make_user(team, "practitioner")

    def tamper(route):  # Casework's redirect to the provider, with its state changed on the way
        response = route.fetch(max_redirects=0)
        location = response.headers["location"]
        assert "state=" in location
        route.fulfill(response=response, headers={**response.headers,
                      "location": location.replace("state=", "state=tampered", 1)})  # fmt: skip

    page.route(lambda url: urlsplit(url).path == "/login/oidc", tamper)
    sign_in_at_the_provider(page, live_server, worker.email)
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_text("took too long, or was started in another tab")).to_be_visible()
    assert refusal_reasons() == [("bad_state", None)]
    page.goto(f"{live_server}/people")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fpeople")


def test_an_expired_id_token_is_refused(page: Page, live_server, team, monkeypatch):
    worker = make_user(team, "practitioner")
    two_hours_on = time.time() + 2 * 60 * 60  # oidc-provider's ID tokens last one hour
    monkeypatch.setattr(oidc, "now", lambda: two_hours_on)
    sign_in_at_the_provider(page, live_server, worker.email)
    expect(page).to_have_url(f"{live_server}/login")
    expect(
        page.get_by_text("Casework could not check the answer from single sign-on")
    ).to_be_visible()


def test_logging_out_after_single_sign_on_ends_the_session(page: Page, browser, live_server, team):
    worker = make_user(team, "practitioner")
    sign_in_at_the_provider(page, live_server, worker.email)
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    cookies = page.context.cookies(live_server)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    copy = browser.new_context()
    try:
        copy.add_cookies(cookies)
        old = copy.new_page()
        old.goto(f"{live_server}/")
        expect(old).to_have_url(f"{live_server}/login?next=%2F")
        expect(old.get_by_role("heading", name="Log in to Casework")).to_be_visible()
    finally:
        copy.close()
