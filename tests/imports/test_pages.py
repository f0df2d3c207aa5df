"""The upload page: preview first, confirm to import, and only for those allowed."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework import clock
from casework.extensions import db
from casework.models import AuditEvent, AuditEventPerson, Demand, Person
from tests.conftest import login, make_person, make_team, make_user

SAMPLE = Path(__file__).parent / "data" / "legacy_demands_sample.csv"
HEADER = (
    "nhs_number,given_name,family_name,date_of_birth,received_on,source,channel,stated_need,kind"
)


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def upload(client, team_id, data: bytes | None = None, name="legacy.csv", cohort="usual"):
    form = {"team_id": str(team_id), "cohort": cohort}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post("/imports/demands", data=form, content_type="multipart/form-data")


def token_of(response) -> str:
    return re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', response.text).group(1)


def test_a_manager_previews_then_confirms(client, app, team, manager):
    login(client, manager)
    page = client.get("/imports/demands")
    assert page.status_code == 200 and "Import legacy referrals" in page.text
    preview = upload(client, team.id, SAMPLE.read_bytes())
    assert preview.status_code == 200
    text = preview.text
    assert "Check the import before you confirm it" in text
    assert re.search(r"Rows read\s*</dt>\s*<dd[^>]*>\s*161", text)
    assert re.search(r"People to add\s*</dt>\s*<dd[^>]*>\s*58", text)
    assert count(Person) == count(Demand) == 0  # nothing saved before confirming
    kept = list((Path(app.instance_path) / "imports").glob("*.upload"))
    assert len(kept) == 1

    done = client.post("/imports/demands/confirm", data={"token": token_of(preview)})
    assert done.status_code == 302
    assert count(Person) == 58 and count(Demand) == 161
    assert not kept[0].exists()
    summary = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert summary.user_id == manager.id and summary.detail["demands_added"] == 161
    assert "Imported 161 referrals" in client.get(done.location).text


def test_rejected_rows_show_in_the_preview_with_their_row_number(client, team, manager):
    login(client, manager)
    bad = SAMPLE.read_text().replace("2026-05-03,Family,letter", "2026-05-03,Family,fax")
    preview = upload(client, team.id, bad.encode())
    assert "Rows rejected (1)" in preview.text
    assert "<td>2</td><td>channel: Choose how the demand arrived</td>" in preview.text


def test_the_confirmed_import_must_be_the_one_previewed(client, team, manager, practitioner):
    login(client, manager)
    preview = upload(
        client,
        team.id,
        b"nhs_number,given_name,family_name,date_of_birth,"
        b"received_on,source,channel,stated_need,kind\n"
        b",Ann,Lee,1950-01-02,2026-01-05,GP,phone,Help,\n",
    )
    assert "People to add" in preview.text
    # Someone registers Ann Lee between preview and confirmation.
    make_person(
        practitioner, given_name="Ann", family_name="Lee", date_of_birth=dt.date(1950, 1, 2)
    )
    changed = client.post("/imports/demands/confirm", data={"token": token_of(preview)})
    assert changed.status_code == 409
    assert "The records changed since your preview" in changed.text
    assert count(Demand) == 0
    done = client.post("/imports/demands/confirm", data={"token": token_of(changed)})
    assert done.status_code == 302
    assert count(Demand) == 1 and count(Person) == 1


def test_a_tampered_or_replayed_confirmation_imports_nothing(client, app, team, manager):
    login(client, manager)
    preview = upload(client, team.id, SAMPLE.read_bytes())
    wrong = client.post("/imports/demands/confirm", data={"token": "0" * 32})
    assert wrong.status_code == 302 and count(Demand) == 0
    # The file changed on disk after the preview: refused, not imported.
    (Path(app.instance_path) / "imports" / f"{token_of(preview)}.upload").write_bytes(b"x")
    client.post("/imports/demands/confirm", data={"token": token_of(preview)})
    assert count(Demand) == 0
    # And a second confirmation of a finished import does nothing.
    replay = client.post("/imports/demands/confirm", data={"token": token_of(preview)})
    assert "That preview has expired" in client.get(replay.location).text


def test_cancel_deletes_the_kept_file(client, app, team, manager):
    login(client, manager)
    preview = upload(client, team.id, SAMPLE.read_bytes())
    client.post("/imports/demands/cancel", data={"token": token_of(preview)})
    assert not list((Path(app.instance_path) / "imports").glob("*.upload"))
    assert count(Demand) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (None, "Choose a CSV or TSV file of referrals"),
        (b"given_name\nAnn\n", "The file is missing the columns nhs_number"),
        (b"", "The file is empty"),
        (b"\x00\x01binary", "This is not a CSV or TSV file"),
    ],
)
def test_a_refused_upload_keeps_the_choices_and_says_why(client, team, manager, data, message):
    login(client, manager)
    response = upload(client, team.id, data, cohort="pilot")
    assert response.status_code == 422
    assert message in response.text
    assert re.search(r'value="pilot"\s+checked', response.text)
    assert re.search(rf'value="{team.id}"\s+selected', response.text)


def test_an_administrator_imports_into_any_team(client, admin_user):
    other = make_team("Southgate", "usual")
    login(client, admin_user)
    preview = upload(client, other.id, SAMPLE.read_bytes())
    assert preview.status_code == 200
    client.post("/imports/demands/confirm", data={"token": token_of(preview)})
    assert set(db.session.scalars(select(Demand.team_id))) == {other.id}


def test_practitioners_may_not_import(client, practitioner, team):
    login(client, practitioner)
    assert client.get("/imports/demands").status_code == 403
    assert upload(client, team.id, SAMPLE.read_bytes()).status_code == 403
    assert count(Demand) == 0


def test_a_manager_may_not_import_into_another_team(client, manager):
    other = make_team("Southgate", "usual")
    login(client, manager)
    page = client.get("/imports/demands")
    assert "Southgate" not in page.text
    response = upload(client, other.id, SAMPLE.read_bytes())
    assert response.status_code == 422
    assert "Choose a team from the list" in response.text
    assert count(Demand) == 0


def test_the_nav_shows_the_import_link_to_managers_only(client, manager, practitioner):
    login(client, practitioner)
    assert "/imports/demands" not in client.get("/").text
    client.post("/logout")
    login(client, manager)
    assert "/imports/demands" in client.get("/").text


def test_a_second_upload_of_the_same_file_shows_rows_already_present(client, team, manager):
    login(client, manager)
    first = upload(client, team.id, SAMPLE.read_bytes())
    client.post("/imports/demands/confirm", data={"token": token_of(first)})
    again = upload(client, team.id, SAMPLE.read_bytes())
    assert "Rows already present (161)" in again.text
    assert "Show the row numbers" in again.text
    assert "Already on record: rows 2, 3, 4," in again.text
    assert "There is nothing new to import from this file" in again.text
    assert "/imports/demands/confirm" not in again.text


def big_upload(client, team_id, data: bytes):
    """As upload(), encoded in memory: werkzeug's test client never closes the temporary
    file it spools a big multipart body to (a ResourceWarning, not the app's)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    file = FileStorage(io.BytesIO(data), filename="big.csv", content_type="text/csv")
    boundary, body = encode_multipart({"team_id": str(team_id), "cohort": "usual", "file": file})
    return client.post(
        "/imports/demands", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_the_page_takes_files_larger_than_other_requests_and_explains_its_limit(
    client, app, team, manager
):
    login(client, manager)
    three_mb = b"given_name\n" + b"Ann\n" * (3 * 1024 * 1024 // 4)
    assert len(three_mb) > app.config["MAX_CONTENT_LENGTH"]
    response = big_upload(client, team.id, three_mb)
    assert response.status_code == 422  # read and refused by the import, not a bare 413
    assert "The file is missing the columns nhs_number" in response.text
    app.config["IMPORT_MAX_BYTES"] = 2 * 1024 * 1024
    response = big_upload(client, team.id, three_mb)
    assert "The file is larger than 2 MB" in response.text


def rows_listed(response) -> list[int]:
    """The row numbers in the preview's list of who each row is about."""
    table = response.text.split('id="people"')[1].split("</table>")[0]
    return [int(n) for n in re.findall(r"<tr>\s*<td>(\d+)</td>", table)]


def test_the_preview_lists_who_each_row_is_about_a_page_at_a_time(client, app, team, manager):
    login(client, manager)
    born = clock.today() - dt.timedelta(days=29_000)
    on_file = make_person(
        manager, given_name="Irene", family_name="Thomas", date_of_birth=born, nhs_number=None
    )
    received = clock.today() - dt.timedelta(days=20)
    extra = f"9434765919,Irene,Thomas,{born:%d/%m/%Y},{received:%d/%m/%Y},GP,phone,Help,\n"
    preview = upload(client, team.id, SAMPLE.read_bytes() + extra.encode())
    assert rows_listed(preview) == list(range(2, 52))
    assert "Rows 1 to 50 of this list are shown." in preview.text
    assert 'href="/imports/demands/preview?page=2#people"' in preview.text
    first = preview.text.split("<tr>\n    <td>2</td>")[1].split("</tr>")[0]
    assert "<strong>George Smith</strong>" in first and "Born 27 August 1950" in first
    assert "Adds a new person" in first and "No record has this name and date of birth" in first

    last = client.get("/imports/demands/preview?page=4")
    assert last.status_code == 200
    assert rows_listed(last) == list(range(152, 164))
    assert 'href="/imports/demands/preview?page=3#people"' in last.text
    assert "?page=5" not in last.text
    row = last.text.split("<tr>\n    <td>163</td>")[1].split("</tr>")[0]
    assert f"Matches record {on_file.id}" in row
    assert f"Born {born.day} {born:%B %Y}" in row and "NHS number 943 476 5919" in row
    assert "Same date of birth and names; the record gains the row&#39;s NHS number" in row
    assert client.get("/imports/demands/preview?page=999").status_code == 200  # the last page
    assert count(Demand) == 0 and db.session.get(Person, on_file.id).nhs_number is None

    # Paging did not spend the preview: the import confirmed is the one previewed.
    done = client.post("/imports/demands/confirm", data={"token": token_of(last)})
    assert "Imported 162 referrals" in client.get(done.location).text
    db.session.expire_all()
    assert db.session.get(Person, on_file.id).nhs_number == "9434765919"
    assert not list((Path(app.instance_path) / "imports").iterdir())
    gone = client.get("/imports/demands/preview?page=2")
    assert gone.status_code == 302
    assert "That preview has expired" in client.get(gone.location).text


def test_a_row_matched_by_nhs_number_says_so(client, team, manager):
    login(client, manager)
    on_file = make_person(manager, given_name="Ann", family_name="Lee", nhs_number="9434765919")
    preview = upload(
        client,
        team.id,
        f"{HEADER}\n943 476 5919,Anne,Leigh,,{clock.today():%d/%m/%Y},GP,phone,Help,\n".encode(),
    )
    row = preview.text.split('id="people"')[1]
    assert f"Matches record {on_file.id}.<br>Same NHS number." in row
    assert "<strong>Ann Lee</strong>" in row  # the record as it stands, not the row's spelling
    # The preview named Ann Lee: it is in her "who has looked at my record".
    from casework.audit.trail import person_trail

    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "preview"))
    assert event in person_trail(db.session, on_file, limit=10)[0]
    assert [p.person_id for p in db.session.scalars(select(AuditEventPerson))] == [on_file.id]
    assert event.detail["person_ids"] == [on_file.id]


def test_the_preview_pages_belong_to_the_session_that_uploaded(client, app, team, manager):
    assert client.get("/imports/demands/preview").status_code == 302  # to log in
    login(client, manager)
    nothing = client.get("/imports/demands/preview")
    assert nothing.status_code == 302
    assert "That preview has expired" in client.get(nothing.location).text
    preview = upload(client, team.id, SAMPLE.read_bytes())
    other = app.test_client()
    login(other, make_user(team, "manager", email="second@example.org"))
    assert other.get("/imports/demands/preview?page=2").status_code == 302
    client.post("/imports/demands/cancel", data={"token": token_of(preview)})
    assert not list((Path(app.instance_path) / "imports").iterdir())
    assert client.get("/imports/demands/preview?page=2").status_code == 302
