"""Security headers, HTTPS detection behind trusted proxies, Secure cookies, `next` on login,
no inline script or style in any page, and a production SECRET_KEY."""

import datetime as dt
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from casework import clock, create_app
from casework.cases.service import add_action, log_conversation
from casework.config import ConfigurationError
from casework.extensions import db
from casework.models import AuditEvent
from tests.conftest import PASSWORD, login, make_demand, make_person

# --- headers --------------------------------------------------------------------------------


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";")}


@pytest.mark.parametrize(
    "path", ["/login", "/healthz", "/static/casework.css", "/no-such-page", "/api/v1/people"]
)
def test_every_response_has_the_security_headers(client, path):
    with client.get(path) as response:
        check_headers(response)


def check_headers(response):
    directives = csp_directives(response)
    assert directives["default-src"] == "default-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["form-action"] == "form-action 'self'"
    assert directives["base-uri"] == "base-uri 'none'"
    assert directives["object-src"] == "object-src 'none'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http here
    permissions = dict(
        part.strip().split("=", 1) for part in response.headers["Permissions-Policy"].split(",")
    )
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert permissions[feature] == "()", feature
    assert "interest-cohort" not in permissions


def test_hsts_and_secure_cookies_when_the_request_came_over_https(app, practitioner):
    client = app.test_client()
    response = client.post(
        "https://localhost/login", data={"email": practitioner.email, "password": PASSWORD}
    )
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_secure_flag_over_plain_http(client, practitioner):
    response = login(client, practitioner)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize("app_config", [{"PREFERRED_URL_SCHEME": "https"}])
def test_a_deployment_that_says_https_always_gets_hsts_and_secure_cookies(
    client, practitioner, app_config
):
    response = login(client, practitioner)  # the test request itself is plain http
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def forwarded_login(app, user, headers):
    return app.test_client().post(
        "/login",
        data={"email": user.email, "password": PASSWORD},
        headers=headers,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(app, practitioner):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    response = forwarded_login(app, practitioner, headers)
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers
    login_event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).one()
    assert login_event.remote_addr == "127.0.0.1"


@pytest.mark.parametrize("app_config", [{"TRUSTED_PROXIES": 1}])
def test_one_trusted_proxy_says_https_and_the_clients_address(app, practitioner, app_config):
    # The client sent its own (forged) X-Forwarded-For; the proxy appended the real address.
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.9.9, 203.0.113.9"}
    response = forwarded_login(app, practitioner, headers)
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    login_event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "login")).one()
    assert login_event.remote_addr == "203.0.113.9"


# --- next on login --------------------------------------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "%2F%2Fevil.example",  # encoded twice over: arrives as the text %2F%2F...
    "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_follows_a_hostile_next(client, practitioner, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": practitioner.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"


@pytest.mark.parametrize(
    "query",
    [
        "next=%2F%2Fevil.example",
        "next=%2F%5Cevil.example",
        "next=%2F%09%2Fevil.example",
        "next=https%3A%2F%2Fevil.example",
    ],
)
def test_login_never_follows_a_percent_encoded_hostile_next(client, practitioner, query):
    response = client.post(
        f"/login?{query}", data={"email": practitioner.email, "password": PASSWORD}
    )
    assert response.location == "/"


@pytest.mark.parametrize("target", ["/people?q=Anne Smith", "/cases/1", "/%2F/evil.example"])
def test_login_follows_a_path_on_this_site(client, practitioner, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": practitioner.email, "password": PASSWORD},
    )
    assert response.location == target.replace(" ", "%20")


# --- no inline script or style in any page ---------------------------------------------------


class InlineFinder(HTMLParser):
    """Everything a Content-Security-Policy without 'unsafe-inline' would block, and links."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and not attributes.get("src"):
            self.problems.append("<script> without src")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>: {value}")
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name} on <{tag}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def inline_problems(html: str) -> tuple[list[str], list[str]]:
    finder = InlineFinder()
    finder.feed(html)
    return finder.problems, finder.links


def test_the_checker_finds_what_it_looks_for():
    problems, _ = inline_problems(
        '<p style="color:red"></p><script>alert(1)</script><style>p{}</style>'
        '<a href="javascript:x()" onclick="y()">x</a><script src="/ok.js"></script>'
    )
    assert len(problems) == 5


def case_with_a_conversation(practitioner):
    """A person with an open case in the practitioner's team, a conversation and an action."""
    person = make_person(practitioner, given_name="Anne")
    demand, _ = make_demand(person, practitioner, clock.today() - dt.timedelta(days=3))
    log_conversation(
        db.session,
        demand.case,
        practitioner,
        held_on=clock.today(),
        kind="visit",
        what_matters="Staying in my own home",
        notes="Met at home",
    )
    add_action(
        db.session,
        demand.case,
        practitioner,
        description="Fit a rail",
        by="team",
        due_on=clock.today(),
    )
    db.session.commit()
    return demand.case


@pytest.fixture
def locality(team, practitioner, manager, admin_user):
    case = case_with_a_conversation(practitioner)
    return {
        "practitioner": practitioner,
        "manager": manager,
        "admin": admin_user,
        "person": case.person,
        "case": case,
    }


SKIP = re.compile(r"^/(static|assets|api)/|\.(csv|json)$|/export")


def crawl(client, start: list[str], limit: int = 80) -> dict[str, list[str]]:
    """Follow same-site links from `start`, one page per shape of address (ids as N)."""
    seen_shapes, found, queue = set(), {}, deque(start)
    while queue and len(found) < limit:
        path = queue.popleft()
        shape = re.sub(r"\d+", "N", urlsplit(path).path)
        if shape in seen_shapes or SKIP.search(urlsplit(path).path):
            continue
        seen_shapes.add(shape)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        problems, links = inline_problems(response.get_data(as_text=True))
        found[path] = problems
        for link in links:
            target = urlsplit(urljoin("http://localhost" + path, link))
            if target.netloc == "localhost":
                queue.append(target._replace(scheme="", netloc="", fragment="").geturl())
    return found


# An administrator without a team reaches no records, only users, teams, audit and figures.
MIN_PAGES = {"practitioner": 12, "manager": 30, "admin": 10}


@pytest.mark.parametrize("role", ["practitioner", "manager", "admin"])
def test_no_page_has_inline_script_or_style(client, locality, role):
    login(client, locality[role])
    case, person = locality["case"], locality["person"]
    start = [
        "/",
        "/account",
        f"/people/{person.id}",
        f"/cases/{case.id}",
        f"/cases/{case.id}/about-me",
        "/people/new",
        "/measures",
        "/imports",
    ]
    pages = crawl(client, start)
    assert len(pages) >= MIN_PAGES[role], sorted(pages)  # the crawl really went round
    assert {path: problems for path, problems in pages.items() if problems} == {}


def test_the_login_and_error_pages_have_no_inline_script_or_style(client):
    for path in ["/login", "/no-such-page"]:
        problems, _ = inline_problems(client.get(path).get_data(as_text=True))
        assert problems == [], path


# --- SECRET_KEY in production ---------------------------------------------------------------

GOOD_KEY = "9f1c2e7a4b8d3f6e0a5c1b9d7e2f4a6c8b0d1e3f5a7c9e2b4d6f8a0c2e4b6d8f"


@pytest.mark.parametrize(
    ("key", "says"),
    [
        (None, "SECRET_KEY is not set"),
        ("", "SECRET_KEY is not set"),
        ("s3cr3t-but-short", "only 16 characters long"),
        ("change-me-change-me-change-me-change-me", "placeholder"),
        ("your-secret-key-goes-here-please-1234567", "placeholder"),
        ("a" * 64, "repeats a few characters"),
        ("ab" * 32, "repeats a few characters"),
    ],
)
def test_production_refuses_a_missing_or_weak_secret_key(monkeypatch, tmp_path, key, says):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigurationError) as error:
        create_app({"INSTANCE_PATH": str(tmp_path)}, production=True)
    message = str(error.value)
    assert says in message
    assert "python3 -c 'import secrets; print(secrets.token_hex(32))'" in message
    assert not (tmp_path / "secret_key").exists()  # production never makes one up


def test_production_starts_with_a_strong_key_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", GOOD_KEY)
    app = create_app({"INSTANCE_PATH": str(tmp_path)}, production=True)
    assert app.secret_key == GOOD_KEY


def test_development_makes_a_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path)}).secret_key
    assert len(first) == 64
    assert create_app({"INSTANCE_PATH": str(tmp_path)}).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_wsgi_entry_point_is_production(monkeypatch):
    import importlib
    import sys

    from gunicorn.errors import AppImportError

    monkeypatch.delenv("SECRET_KEY", raising=False)
    sys.modules.pop("casework.wsgi", None)
    with pytest.raises(AppImportError, match="SECRET_KEY is not set"):
        importlib.import_module("casework.wsgi")
    sys.modules.pop("casework.wsgi", None)


def test_a_bad_proxy_count_stops_the_app_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXIES", "yes")
    with pytest.raises(ConfigurationError, match="TRUSTED_PROXIES must be a whole number"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
