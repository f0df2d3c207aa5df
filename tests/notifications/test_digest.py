"""`casework notify send`: one email a day to each worker who opted in, through a real SMTP
server (aiosmtpd, started here), counting their unread notifications by kind, with a link;
never a person's name nor a notification's words. Claimed before sending, so no
notification is in two emails, whichever server runs the command."""

import datetime as dt
import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from casework import clock
from casework.cases.service import add_action, change_owner
from casework.extensions import db
from casework.models import Notification
from casework.notifications import digest
from casework.notifications.service import tell
from tests.conftest import make_demand, make_person, make_user

BASE = "https://casework.example.nhs.uk"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """What the SMTP server received: each message, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data):
    good = isinstance(auth_data, LoginPassword) and auth_data.password == b"mail-secret"
    return AuthResult(success=good, handled=False)


@pytest.fixture
def inbox(app):
    """A real SMTP server on this machine, and the app's settings pointing at it."""
    box = Inbox()
    port = free_port()
    server = Controller(box, hostname="127.0.0.1", port=port, authenticator=_authenticate,
                        auth_require_tls=False)  # fmt: skip
    server.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False, MAIL_USERNAME="casework",
        MAIL_PASSWORD="mail-secret", MAIL_FROM="casework@example.nhs.uk", CASEWORK_BASE_URL=BASE,
    )  # fmt: skip
    yield box
    server.stop()


@pytest.fixture
def opted_in(practitioner):
    practitioner.email_digest = True
    db.session.commit()
    return practitioner


@pytest.fixture
def given(opted_in, manager):
    """Two cases given to the worker and an answered ask: three unread notifications about
    Winifred Ashdown, whose stated need is a health detail."""
    cases = []
    for _ in range(2):
        person = make_person(manager, given_name="Winifred", family_name="Ashdown")
        case = make_demand(person, manager, stated_need="Insulin overdose, falls")[0].case
        change_owner(db.session, case, manager, new_owner=opted_in, reason="Knows her")
        cases.append(case)
    tell([opted_in], "ask_answered", text="Your ask for case #1 was answered yes.",
         case=cases[0])  # fmt: skip
    db.session.commit()
    return cases


def send(runner):
    return runner.invoke(args=["notify", "send"])


def test_one_email_counts_unread_by_kind_and_links_to_the_app(runner, inbox, opted_in, given):
    result = send(runner)
    assert result.exit_code == 0, result.output
    assert "Emailed 1 worker about 3 notifications" in result.output
    [mail] = inbox.messages
    assert mail["To"] == opted_in.email and mail["From"] == "casework@example.nhs.uk"
    assert mail["Subject"] == "Casework: 3 unread notifications"
    body = mail.get_payload(decode=True).decode()
    assert "A case given to you: 2" in body and "An ask answered: 1" in body
    assert f"{BASE}/notifications?unread=1" in body
    emailed = db.session.scalars(select(Notification.emailed_at)).all()
    assert len(emailed) == 3 and all(emailed)


def test_the_email_carries_no_persons_name_nor_any_notifications_words(
    runner, inbox, opted_in, given
):
    send(runner)
    [mail] = inbox.messages
    whole = mail.as_string()
    for secret in ("Winifred", "Ashdown", "Insulin", "falls", "Knows her"):
        assert secret not in whole
    for note in db.session.scalars(select(Notification)):
        assert note.text not in whole
        assert f"#{note.case_id}" not in whole


def test_nothing_is_emailed_twice(runner, inbox, opted_in, given):
    send(runner)
    result = send(runner)
    assert "Emailed 0 workers about 0 notifications" in result.output
    assert len(inbox.messages) == 1
    tell([opted_in], "recontact", text="Another")
    db.session.commit()
    send(runner)
    assert len(inbox.messages) == 2
    assert "A demand routed to your case: 1" in inbox.messages[1].get_payload(decode=True).decode()


def test_a_second_server_finds_nothing_left_to_claim(app, inbox, opted_in, given):
    """Two runs at once: the second's conditional update claims nothing, so no second email."""
    first = digest.claim(db.session, opted_in)
    second = digest.claim(db.session, opted_in)
    assert len(first.ids) == 3 and second.ids == []
    assert digest.send_digests(db.session, app.config).sent == []
    assert inbox.messages == []


def test_only_workers_who_opted_in_and_are_active_and_only_unread(
    runner, inbox, opted_in, given, team
):
    quiet = make_user(team, name="Quiet Worker")  # not opted in
    gone = make_user(team, name="Gone Worker")
    gone.email_digest = True
    tell([quiet, gone], "allocated", text="Given")
    gone.active = False
    read = db.session.scalars(
        select(Notification).where(Notification.user_id == opted_in.id)
    ).first()
    read.read_at = clock.now()
    db.session.commit()
    send(runner)
    assert [m["To"] for m in inbox.messages] == [opted_in.email]
    assert inbox.messages[0]["Subject"] == "Casework: 2 unread notifications"
    db.session.refresh(read)
    assert read.emailed_at is None


def test_a_refused_email_is_put_back_for_the_next_run(runner, inbox, opted_in, given, app):
    app.config["MAIL_FROM"] = "refused@example.nhs.uk"

    async def refuse(server, session, envelope):
        return "550 Sender refused"

    inbox.handle_DATA = refuse
    result = send(runner)
    assert result.exit_code == 1
    assert f"could not email {opted_in.email}" in result.output
    assert all(n.emailed_at is None for n in db.session.scalars(select(Notification)))


def test_a_wrong_smtp_password_fails_clearly_and_claims_nothing(runner, inbox, given, app):
    app.config["MAIL_PASSWORD"] = "wrong"
    result = send(runner)
    assert result.exit_code == 1
    assert "could not reach the SMTP server" in result.output
    assert all(n.emailed_at is None for n in db.session.scalars(select(Notification)))


@pytest.mark.parametrize("missing", ["MAIL_SERVER", "MAIL_FROM", "CASEWORK_BASE_URL"])
def test_without_its_settings_it_says_which_and_sends_nothing(runner, inbox, given, app, missing):
    app.config[missing] = ""
    result = send(runner)
    assert result.exit_code == 1
    assert missing in result.output and "nothing was sent" in result.output
    assert inbox.messages == []


def test_a_base_url_that_is_no_address_is_refused(runner, inbox, given, app):
    app.config["CASEWORK_BASE_URL"] = "casework.example"
    result = send(runner)
    assert result.exit_code == 1 and "CASEWORK_BASE_URL must be" in result.output


def test_send_also_tells_assignees_of_overdue_actions_first(runner, inbox, opted_in):
    case = make_demand(make_person(opted_in), opted_in)[0].case
    action = add_action(db.session, case, opted_in, description="Order a commode", by="team")
    action.due_on = clock.today() - dt.timedelta(days=2)
    db.session.commit()
    result = send(runner)
    # The assignee (the owner, who agreed it) is told: the reminder comes from no colleague.
    assert "Told 1 worker of an overdue action" in result.output
    [mail] = inbox.messages
    assert "An action past its due date: 1" in mail.get_payload(decode=True).decode()
    assert "commode" not in mail.as_string()


def test_tls_is_insisted_on_when_set_and_a_server_without_it_is_refused(runner, inbox, given, app):
    app.config["MAIL_USE_TLS"] = True  # the default: never in clear unless switched off
    result = send(runner)
    assert result.exit_code == 1
    assert "could not reach the SMTP server" in result.output
    assert inbox.messages == []
    assert all(n.emailed_at is None for n in db.session.scalars(select(Notification)))


def test_two_servers_sending_at_once_send_one_email(app, inbox, opted_in, given):
    """Two runs at the same moment, each with its own connection to the database (as two
    servers would have): the rows each claims are its own, so the worker gets one email."""
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def server():
        with app.app_context():
            try:
                start.wait(timeout=10)
                outcomes.append(digest.send_digests(db.session, app.config))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    runs = [threading.Thread(target=server) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=60)
    assert errors == []
    assert sorted(len(outcome.sent) for outcome in outcomes) == [0, 1]
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["Subject"] == "Casework: 3 unread notifications"
