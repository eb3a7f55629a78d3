"""Every API resource, read by each kind of caller: anonymous (401), its owner (200), a member of
another organisation (404, as if it did not exist), the reviewers and other roles (403 on
endpoints that are not theirs, 200 on theirs)."""

import pytest

from segur_funding.funding.models import FundingRequest

# Each resource: how to find the demo object, its owner, a caller of another organisation of the
# same kind, and the expected answer for every other demo role.
RESOURCES = {
    "editor-solution": {
        "url": lambda d: f"/api/editor/solutions/{d.dossier('BioLab SGL').solution_version.solution_id}/",
        "owner": "editeur", "other": "editeur2", "forbidden": ("labo", "ans", "asp"),
    },
    "editor-dossier": {
        "url": lambda d: f"/api/editor/dossiers/{d.dossier('BioLab SGL').pk}/",
        "owner": "editeur", "other": "editeur2", "forbidden": ("labo", "labo2", "ans", "asp"),
    },
    "editor-quote": {
        "url": lambda d: f"/api/editor/quotes/{d.quote('D-DEMO-0001').pk}/",
        "owner": "editeur", "other": "editeur2", "forbidden": ("labo", "ans", "asp"),
    },
    "editor-funding-request": {
        "url": lambda d: f"/api/editor/funding-requests/{_request('D-DEMO-0002').pk}/",
        "owner": "editeur", "other": "editeur2", "forbidden": ("labo", "ans", "asp"),
    },
    "lab-quote": {
        "url": lambda d: f"/api/lab/quotes/{d.quote('D-DEMO-0001').pk}/",
        "owner": "labo", "other": "labo2", "forbidden": ("editeur", "ans", "asp"),
    },
    "ans-dossier": {
        "url": lambda d: f"/api/ans/dossiers/{d.dossier('LabSoft SGL').pk}/",
        "owner": "ans", "other": None, "forbidden": ("editeur", "editeur2", "labo", "asp"),
    },
    "asp-funding-request": {
        "url": lambda d: f"/api/asp/funding-requests/{_request('D-DEMO-0002').pk}/",
        "owner": "asp", "other": None, "forbidden": ("editeur", "labo", "ans"),
    },
}


def _request(number: str) -> FundingRequest:
    return FundingRequest.objects.get(quote__number=number)


@pytest.mark.parametrize("name", RESOURCES)
def test_each_resource_answers_each_kind_of_caller(client_for, demo, name):
    resource = RESOURCES[name]
    url = resource["url"](demo)
    answers = {None: client_for(None).get(url).status_code}
    for who in (resource["owner"], resource["other"], *resource["forbidden"], "admin"):
        if who:
            answers[who] = client_for(who).get(url).status_code
    expected = {None: 401, resource["owner"]: 200}
    if resource["other"]:
        expected[resource["other"]] = 404
    expected.update({who: 403 for who in resource["forbidden"]})
    # The superuser is a reviewer of both agencies, but a member of no organisation.
    expected["admin"] = 200 if name.startswith(("ans-", "asp-")) else 403
    assert answers == expected


def test_me_tells_each_caller_who_they_are(client_for, demo):
    assert client_for(None).get("/api/me/").status_code == 401
    me = client_for("labo").get("/api/me/").json()
    assert (me["email"], me["is_lab"], me["is_editor"]) == ("labo@demo.test", True, False)
    assert [o["name"] for o in me["organizations"]] == ["Laboratoire BioRhône"]
    asp = client_for("asp").get("/api/me/").json()
    assert (asp["is_asp_reviewer"], asp["is_ans_reviewer"], asp["organizations"]) == (True, False, [])


def test_clients_are_listed_for_editors_only(client_for, demo):
    assert client_for(None).get("/api/editor/clients/").status_code == 401
    assert client_for("labo").get("/api/editor/clients/").status_code == 403
    names = [c["name"] for c in client_for("editeur").get("/api/editor/clients/").json()["results"]]
    assert names == ["Laboratoire BioRhône", "Laboratoire du Littoral"]


def test_public_resources_need_no_account_and_ignore_credentials(client_for, demo):
    for url in ("/api/public/solutions/", "/api/public/dsrs/", "/api/public/dsrs/SGL-V1/",
                "/api/public/statistics/"):
        assert client_for(None).get(url).status_code == 200, url
        assert client_for("editeur").get(url).status_code == 200, url
    sgl = client_for(None).get("/api/public/dsrs/SGL-V1/").json()
    assert [t["code"] for t in sgl["funding_scheme"]["tiers"]] == ["A", "B", "C", "D", "E"]
    assert sgl["funding_scheme"]["tiers"][1]["cap_ttc"] == "32940.00"
    assert client_for(None).get("/api/public/dsrs/DPI-V1/").json()["funding_scheme"] is None
    assert client_for(None).get("/api/public/dsrs/NOPE/").status_code == 404
