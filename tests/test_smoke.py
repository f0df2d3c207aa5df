from tests.conftest import login, make_demand, make_person


def test_practitioner_sees_their_new_case_on_the_caseload(client, practitioner):
    person = make_person(practitioner, given_name="Irene")
    make_demand(person, practitioner)
    login(client, practitioner)
    page = client.get("/").get_data(as_text=True)
    assert "Irene" in page
