"""The measures pages, their CSV downloads and the `casework measures` command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import select

from casework import clock
from casework.demo import load_demo
from casework.extensions import db
from casework.measures.figures import compute
from casework.measures.routes import default_period
from casework.measures.table import safe_cell
from casework.models import AuditEvent, User
from tests.conftest import login, make_demand, make_person, make_team, make_user

DAY = dt.date(2026, 6, 1)
PERIOD = {
    "start[day]": "1",
    "start[month]": "5",
    "start[year]": "2026",
    "end[day]": "30",
    "end[month]": "6",
    "end[year]": "2026",
}
PAGES = [
    "/measures",
    "/measures/figures.csv",
    "/measures/repeat-demand",
    "/measures/list/repeat_demand/total",
    "/measures/list/repeat_demand/total.csv",
]


@pytest.mark.parametrize("path", PAGES)
def test_practitioners_are_refused(client, practitioner, path):
    login(client, practitioner)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/measures", 200),
        ("/measures/figures.csv", 200),
        ("/measures/list/repeat_demand/total", 200),  # how many, not who
        ("/measures/repeat-demand", 403),
        ("/measures/list/repeat_demand/total.csv", 403),
    ],
)
def test_a_manager_reads_another_teams_figures_but_not_its_people(client, manager, path, status):
    other = make_team("South", "usual")
    worker = make_user(other, "practitioner")
    person = make_person(worker, family_name="Southerner")
    make_demand(person, worker, received_on=DAY)
    login(client, manager)
    for team in (other.id, ""):  # another team, and every team together
        response = client.get(path, query_string={**PERIOD, "team": team})
        assert response.status_code == status, (path, team)
        assert "Southerner" not in response.get_data(as_text=True)
    listed = select(AuditEvent).where(AuditEvent.entity == "measures_list")
    assert not db.session.scalars(listed).all()  # nobody's record was read
    assert client.get(path).status_code == 200  # their own team, first


def test_another_teams_list_says_how_many_not_who(client, manager):
    other = make_team("South", "usual")
    worker = make_user(other, "practitioner")
    for name in ("Southerner", "Southby"):
        make_demand(make_person(worker, family_name=name), worker, received_on=DAY)
    login(client, manager)
    response = client.get(
        "/measures/list/repeat_demand/total", query_string={**PERIOD, "team": other.id}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<strong>2</strong> demands" in html
    assert "Southerner" not in html and "Southby" not in html
    assert "/people/" not in html and "/cases/" not in html and ".csv" not in html
    assert "how many, not who" in html
    listed = select(AuditEvent).where(AuditEvent.entity == "measures_list")
    assert not db.session.scalars(listed).all()  # nobody's record was read


def test_a_manager_without_a_team_is_refused(client):
    manager = make_user(make_team("Gone", "usual"), "manager")
    manager.team_id = None  # the team was taken away from them
    db.session.commit()
    login(client, manager)
    assert client.get("/measures").status_code == 403


def test_an_empty_team_shows_no_data(client, manager):
    login(client, manager)
    page = client.get("/measures", query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 May 2026 to 30 June 2026, North" in html
    assert html.count("no data") >= 3 * 11  # every figure, every cohort
    assert "0% " not in html
    assert html.count('<figure class="cw-chart"') == 11  # drawn even with nothing in them


def test_the_navigation_links_measures_for_managers_only(client, manager, practitioner):
    login(client, practitioner)
    assert 'href="/measures"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    login(client, manager)
    assert 'href="/measures"' in client.get("/").get_data(as_text=True)


@pytest.fixture
def demo_admin(app, client):
    logins = load_demo(db.session)
    db.session.commit()
    email, password = next((e, p) for role, e, p in logins if role == "Administrator")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    return db.session.scalar(select(User).where(User.email == email))


def test_a_busy_locality_shows_both_cohorts_with_charts_and_links(client, demo_admin):
    page = client.get("/measures", query_string={"grain": "week"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    start, end = default_period(clock.today())
    expected = compute(db.session, start=start, end=end, cohort="pilot")
    repeats = expected["repeat_demand"]["repeat"]
    # every team's figures, but not the people behind them: no team's records are theirs
    assert f'">{repeats}<span class="nhsuk-u-visually-hidden"> Pilot</span> repeats' in html
    assert f'>{repeats}<span class="nhsuk-u-visually-hidden"> Pilot</span> repeats</a>' not in html
    assert "/measures/list/" not in html and "/measures/repeat-demand" not in html
    assert html.count('<figure class="cw-chart"') == 12
    assert "Week of" in html
    assert "End-to-end time per case" in html
    assert "Cost per closed case" in html  # the demo's catalogues price its closed cases


def test_a_manager_s_numbers_open_the_lists_behind_them(client, manager, practitioner):
    make_demand(make_person(practitioner), practitioner, received_on=DAY)
    make_demand(make_person(practitioner), practitioner, received_on=DAY)
    login(client, manager)
    html = client.get("/measures", query_string=PERIOD).get_data(as_text=True)
    assert '>2<span class="nhsuk-u-visually-hidden"> Pilot</span> demands</a>' in html, html
    assert "list_cohort=usual" in html and "list_cohort=pilot" in html
    assert 'href="/measures/repeat-demand?' in html


def test_an_administrator_without_a_team_sees_no_list_of_people(client, admin_user, practitioner):
    person = make_person(practitioner)
    make_demand(person, practitioner, received_on=DAY)
    team_id = practitioner.team_id
    login(client, admin_user)
    for path, status in (
        ("/measures/list/repeat_demand/total", 200),  # how many, not who
        ("/measures/list/repeat_demand/total.csv", 403),
    ):
        for team in ("", team_id):
            response = client.get(path, query_string={**PERIOD, "team": team})
            assert response.status_code == status, (path, team)
            assert person.family_name not in response.get_data(as_text=True)
    response = client.get("/measures/repeat-demand", query_string={**PERIOD, "team": team_id})
    assert response.status_code == 403
    assert "for the managers of the team" in response.get_data(as_text=True)
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "measures_list")
    ).all()


def test_limits_can_be_recalculated_from_a_date(client, demo_admin):
    today = clock.today()
    pivot = today - dt.timedelta(days=180)
    query = {"rebase[day]": pivot.day, "rebase[month]": pivot.month, "rebase[year]": pivot.year}
    html = client.get("/measures", query_string=query).get_data(as_text=True)
    assert "The limits are recalculated from" in html


def test_bad_filters_keep_what_was_typed_and_say_what_is_wrong(client, manager):
    login(client, manager)
    query = {**PERIOD, "start[day]": "31", "start[month]": "2", "cohort": "bubble"}
    page = client.get("/measures", query_string=query)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "From must be a real date" in html
    assert "Choose pilot, usual practice or all" in html
    assert 'value="31"' in html


def test_a_period_that_ends_before_it_starts_is_refused(client, manager):
    login(client, manager)
    page = client.get("/measures", query_string={**PERIOD, "end[month]": "4"})
    assert page.status_code == 400
    assert "must be on or after the first day" in page.get_data(as_text=True)


def test_weekly_charts_are_limited_to_three_years(client, manager):
    login(client, manager)
    query = {**PERIOD, "start[year]": "2020", "grain": "week"}
    page = client.get("/measures", query_string=query)
    assert page.status_code == 400
    assert "Weekly charts cover at most 3 years" in page.get_data(as_text=True)
    assert client.get("/measures", query_string={**query, "grain": "month"}).status_code == 200


def test_an_unknown_figure_is_not_found(client, manager):
    login(client, manager)
    assert client.get("/measures/list/repeat_demand/nonsense").status_code == 404
    assert client.get("/measures/list/nonsense/total.csv").status_code == 404


def _busy_team(manager, practitioner):
    person = make_person(practitioner, given_name="Irene", family_name="Thomas")
    for offset in (0, 5, 9):
        make_demand(person, practitioner, received_on=DAY + dt.timedelta(days=offset))
    make_demand(
        make_person(practitioner, given_name="Bob"),
        practitioner,
        received_on=DAY,
        stated_need='=HYPERLINK("http://evil.example","click")',
    )
    return person


def test_a_drill_down_lists_the_records_and_audits_the_people_shown(client, manager, practitioner):
    person = _busy_team(manager, practitioner)
    login(client, manager)
    page = client.get("/measures/list/repeat_demand/repeat", query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'href="/people/{person.id}"' in html
    assert "2 records" in html
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "measures_list")).one()
    assert (event.action, event.user_id) == ("view", manager.id)
    assert event.detail["person_ids"] == [person.id]
    assert (event.detail["figure"], event.detail["part"]) == ("repeat_demand", "repeat")


def test_a_drill_down_csv_neutralises_formulas_and_is_audited(client, manager, practitioner):
    _busy_team(manager, practitioner)
    login(client, manager)
    response = client.get("/measures/list/repeat_demand/total.csv", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1 + 4
    needs = [row[rows[0].index("Stated need")] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","click")' in needs
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert len(event.detail["person_ids"]) == 2


def test_the_figures_csv_has_each_cohort_side_by_side(client, manager, practitioner):
    _busy_team(manager, practitioner)
    login(client, manager)
    response = client.get("/measures/figures.csv", query_string=PERIOD)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Figure", "Number", "Pilot", "Usual practice", "All"]
    assert ["Repeat demand", "repeats", "2", "0", "2"] in rows
    assert ["Repeat demand", "demands", "4", "0", "4"] in rows
    assert ["Repeat demand", "rate", "0.5", "", "0.5"] in rows


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 123", "'+44 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        (-2, "-2"),
        (None, ""),
        (dt.date(2026, 1, 2), "2026-01-02"),
    ],
)
def test_csv_cells_never_start_a_formula(value, cell):
    assert safe_cell(value) == cell


def test_the_repeat_demand_review_puts_the_busiest_person_first(client, manager, practitioner):
    person = _busy_team(manager, practitioner)
    login(client, manager)
    page = client.get("/measures/repeat-demand", query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<a href="/people/{person.id}">Irene Thomas</a>' in html
    assert "3 demands, 1 June 2026 to 10 June 2026" in html
    assert "Bob" not in html  # one demand is not a repeat pattern
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "measures_list")).one()
    assert event.detail["person_ids"] == [person.id]


def test_an_administrator_sees_every_team_and_each_one(client, admin_user, practitioner, team):
    make_demand(make_person(practitioner), practitioner, received_on=DAY)
    other = make_team("South", "usual")
    make_demand(make_person(make_user(other)), make_user(other), received_on=DAY)
    login(client, admin_user)
    everyone = client.get("/measures", query_string=PERIOD).get_data(as_text=True)
    assert "all teams" in everyone
    one = client.get("/measures", query_string={**PERIOD, "team": other.id})
    assert "30 June 2026, South" in one.get_data(as_text=True)


def test_the_command_prints_the_same_json_as_compute(runner, practitioner, team):
    _busy_team(None, practitioner)
    result = runner.invoke(
        args=["measures", "--from", "2026-05-01", "--to", "2026-06-30", "--team", "north"]
    )
    assert result.exit_code == 0, result.output
    expected = compute(
        db.session, start=dt.date(2026, 5, 1), end=dt.date(2026, 6, 30), team_id=team.id
    )
    assert json.loads(result.output) == expected
    assert expected["repeat_demand"]["total"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-06-30"], "is not a date like"),
        (["--from", "2026-06-01", "--to", "2026-05-30"], "on or after the first day"),
        (["--from", "2026-05-01", "--to", "2026-06-30", "--team", "Nowhere"], "no team called"),
        (["--from", "2026-05-01", "--to", "2026-06-30", "--cohort", "bubble"], "bubble"),
    ],
)
def test_the_command_explains_bad_arguments(runner, app, args, message):
    result = runner.invoke(args=["measures", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_default_period_is_the_last_twelve_months():
    assert default_period(dt.date(2026, 11, 24)) == (dt.date(2025, 11, 25), dt.date(2026, 11, 24))
    assert default_period(dt.date(2028, 2, 29)) == (dt.date(2027, 3, 1), dt.date(2028, 2, 29))


def test_a_manager_may_choose_any_team_or_all_starting_at_their_own(client, manager):
    make_team("South", "usual")
    login(client, manager)
    html = client.get("/measures").get_data(as_text=True)
    assert ">South<" in html and ">All teams<" in html
    assert f'<option value="{manager.team_id}" selected>North</option>' in html


@pytest.mark.parametrize("number", ["0", "00", "-1", "x", "9999999"])
def test_an_odd_page_number_reads_the_first_page(client, manager, monkeypatch, number):
    from casework.measures import routes

    offsets = []
    real = routes.listing
    monkeypatch.setattr(
        routes, "listing", lambda *a, **kw: offsets.append(kw["offset"]) or real(*a, **kw)
    )
    login(client, manager)
    response = client.get("/measures/list/repeat_demand/total", query_string={"page": number})
    assert response.status_code == 200
    assert offsets == [0]  # a negative OFFSET is an error on PostgreSQL


def test_charts_on_a_handful_of_demands_say_so_and_link_to_the_same_view_by_quarter(
    client, manager, practitioner
):
    for back in (3, 40, 70):
        make_demand(make_person(practitioner), practitioner, clock.today() - dt.timedelta(back))
    login(client, manager)
    html = client.get("/measures", query_string={"cohort": "all"}).get_data(as_text=True)
    assert "Most months here rest on fewer than 10 demands, so a change may be chance." in html
    assert "by quarter</a>" in html and "grain=quarter" in html and "cohort=all" in html
    assert html.count('class="cw-chart__svg"') == html.count('class="cw-chart"')  # all drawn

    quarterly = client.get("/measures", query_string={"grain": "quarter"})
    html = quarterly.get_data(as_text=True)
    assert quarterly.status_code == 200 and ", by quarter</h2>" in html
    assert "Most quarters here rest on fewer than 10 demands" in html
    assert "by quarter</a>" not in html and "choose an earlier date" in html
