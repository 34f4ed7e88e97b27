"""Participatory budgets on a real database and through the real app: creating one with projects,
adding and importing projects before it opens, the over-budget ballot refused with the selection
kept, the outcome under both rules with each step explained, the CSV, the ballot file and
`thinktank polls verify`, and hidden results seen nowhere."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session

from core import accounts, ballots
from core.db import utcnow
from core.errors import Invalid
from core.settings import Settings
from deliberation import budgets, poll_results, polls
from participation import proposals
from tests.deliberation.budget_factories import cast_bloc, make_budget
from tests.deliberation.poll_factories import official
from tests.helpers import make_member, post, sign_in
from thinktank.cli import main


def _funded(side: dict) -> list[str]:  # type: ignore[type-arg]
    return [row["id"] for row in side["funded"]]


def test_the_outcome_under_both_rules_explains_each_project(db: Session) -> None:
    budget = make_budget(db, official(db), closed=True)
    cast_bloc(db, budget)
    found = budgets.outcome(db, budget)
    assert (found["total"], found["rule"]) == (100, "equal_shares")
    chosen, other = found["chosen"], found["other"]
    assert _funded(chosen) == ["1", "2", "4"] and chosen["spent"] == 90 and chosen["left"] == 10
    assert chosen["share"] == 10.0 and chosen["ballots"] == 10
    first = chosen["steps"][0]
    assert (first["reason"], first["round"], first["payers"], first["payment"]) == ("equal_shares", 1, 7, 4.29)
    third = next(row for row in chosen["steps"] if row["id"] == "3")
    assert (third["reason"], third["money_left"], third["remaining"]) == ("no_fit", 10.0, 10)
    assert _funded(other) == ["1", "2", "3"] and other["rule"] == "greedy"


def test_a_ballot_over_the_budget_is_refused_and_nothing_is_recorded(db: Session) -> None:
    creator = official(db)
    budget = make_budget(db, creator)
    with pytest.raises(Invalid) as refused:
        polls.cast_ballot(db, budget, make_member(db), ["1", "2", "3", "4"])
    assert refused.value.params == {"spent": 120, "total": 100}
    assert polls.entries_of(db, budget) == []
    limited = make_budget(db, creator, method="budget_approval", max_projects=2)
    with pytest.raises(Invalid):
        polls.cast_ballot(db, limited, make_member(db, "two@example.tw"), ["1", "2", "3"])


def test_projects_are_added_and_imported_only_before_the_budget_opens(db: Session, settings: Settings) -> None:
    creator = official(db)
    budget = make_budget(db, creator, upcoming=True)
    head = budget.chain_head
    budgets.add_projects(db, budget, [budgets.ProjectDraft("全區照顧者培訓", 20, "每月一場", "63000")])
    assert budget.chain_head != head  # the header names the new project, so the chain starts anew
    assert budget.chain_head == ballots.chain_start(polls.header(db, budget))
    agency = db.get(accounts.Agency, creator.agency_id)
    assert agency is not None
    citizen = make_member(db, "author@example.tw")
    proposal = proposals.submit(db, citizen, agency, "設立社區照顧者咖啡館", "每週開放，讓照顧者喘口氣。")
    proposals.review(db, proposal, settings, True, "")
    assert [p.id for p in budgets.importable_proposals(db, budget)] == [proposal.id]
    with pytest.raises(Invalid):
        budgets.import_proposals(db, budget, {proposal.id: None})  # a cost is needed
    (added,) = budgets.import_proposals(db, budget, {proposal.id: 45})
    assert (added.label, added.cost, added.proposal_id, added.key) == ("設立社區照顧者咖啡館", 45, proposal.id, "7")
    assert budgets.importable_proposals(db, budget) == []
    assert [o["cost"] for o in polls.header(db, budget)["options"]] == [30, 30, 30, 30, 30, 20, 45]
    running = make_budget(db, creator)
    with pytest.raises(Invalid):
        budgets.add_projects(db, running, [budgets.ProjectDraft("太晚了", 10)])


@pytest.mark.parametrize(
    ("change", "field"),
    [({"total": 0}, "params"), ({"projects": [("甲", 10), ("乙", 0)]}, "projects"), ({"rule": "dictator"}, "params")],
)
def test_bad_budgets_are_refused(db: Session, change: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(Invalid) as refused:
        make_budget(db, official(db), **change)
    assert field in refused.value.errors


def test_the_ballot_file_of_a_budget_verifies_and_a_tampered_one_fails(db: Session, tmp_path: Path) -> None:
    budget = make_budget(db, official(db), closed=True)
    cast_bloc(db, budget)
    text = poll_results.ballot_file(db, budget)
    header = json.loads(text.splitlines()[0])
    assert header["method"] == "budget_knapsack" and header["params"] == {"rule": "equal_shares", "total": 100}
    assert [o["cost"] for o in header["options"]] == [30] * 5
    (tmp_path / "budget.jsonl").write_text(text)
    runner = CliRunner()
    ok = runner.invoke(main, ["polls", "verify", str(tmp_path / "budget.jsonl")])
    assert ok.exit_code == 0, ok.output
    lines = text.splitlines()
    result = json.loads(lines[-1])
    result["result"]["results"][2]["funded"] = True  # claim the majority's third project was funded
    (tmp_path / "claimed.jsonl").write_text("\n".join([*lines[:-1], json.dumps(result)]) + "\n")
    bad = runner.invoke(main, ["polls", "verify", str(tmp_path / "claimed.jsonl")])
    assert bad.exit_code == 1 and f"line {len(lines)}" in bad.output
    entry = json.loads(lines[8])
    entry["choice"] = ["1", "2", "3", "4"]  # an over-budget ballot slipped in breaks the chain
    (tmp_path / "stuffed.jsonl").write_text("\n".join([*lines[:8], json.dumps(entry), *lines[9:]]) + "\n")
    assert "line 9" in runner.invoke(main, ["polls", "verify", str(tmp_path / "stuffed.jsonl")]).output


# --- pages ---------------------------------------------------------------------------------------


def test_an_official_creates_a_budget_and_adds_a_project(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    creator = official(db)
    sign_in(client, creator)
    opens, closes = utcnow() + timedelta(days=1), utcnow() + timedelta(days=8)
    form = {
        "title": "長照據點參與式預算",
        "description": "",
        "total": "1000000",
        "method": "budget_knapsack",
        "rule": "greedy",
        "projects": "北區日照中心 | 600,000 | 63000010 | 擴建\n南區送餐服務 | 300000",
        "opens_at": f"{opens + timedelta(hours=8):%Y-%m-%dT%H:%M}",
        "closes_at": f"{closes + timedelta(hours=8):%Y-%m-%dT%H:%M}",
        "eligibility": "members",
    }
    bad = post(
        client, "/budgets/new", {**form, "projects": "北區日照中心 | 很多錢\n南區 | 3"}, token_from="/budgets/new"
    )
    assert bad.status_code == 400 and "每個計畫都需要經費" in bad.text
    made = post(client, "/budgets/new", form, token_from="/budgets/new")
    assert made.status_code == 303, made.text
    slug = made.headers["location"].split("/")[2]
    budget = polls.get_poll(db, slug)
    assert (budget.method, polls.params_of(budget)) == ("budget_knapsack", {"rule": "greedy", "total": 1000000})
    page = f"/budgets/{slug}/projects"
    added = post(
        client, page, {"title": "全區照顧者培訓", "cost": "50000", "place_code": "", "description": ""}, token_from=page
    )
    assert added.status_code == 303
    assert [(o.label, o.cost, o.place_code) for o in polls.options_of(db, budget)] == [
        ("北區日照中心", 600000, "63000010"),
        ("南區送餐服務", 300000, ""),
        ("全區照顧者培訓", 50000, ""),
    ]
    refused = post(
        client, page, {"title": "沒有經費", "cost": "", "place_code": "", "description": ""}, token_from=page
    )
    assert refused.status_code == 400 and "每個計畫都需要經費" in refused.text
    sign_in(client, make_member(db))
    assert client.get("/budgets/new").status_code == 403
    assert client.get(page).status_code == 403


def test_the_ballot_page_shows_costs_and_an_over_budget_ballot_keeps_the_selection(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    budget = make_budget(db, official(db))
    sign_in(client, make_member(db))
    path = f"/polls/{budget.slug}"
    page = client.get(path)
    assert 'data-cost="30"' in page.text and 'id="budget-selected"' in page.text and "/static/budget.js" in page.text
    over = post(client, f"{path}/vote", {"choice": ["1", "2", "3", "5"]}, token_from=path)  # type: ignore[dict-item]
    assert over.status_code == 400
    assert "您選擇的計畫合計 120，超過預算 100。" in over.text
    for key in ("1", "2", "3", "5"):
        assert f'value="{key}" data-cost="30" checked' in over.text
    assert 'value="4" data-cost="30" >' in over.text or 'value="4" data-cost="30" checked' not in over.text
    assert ">120</output>" in over.text
    cast = post(client, f"{path}/vote", {"choice": ["1", "5"]}, token_from=path)  # type: ignore[dict-item]
    assert cast.status_code == 200 and 'class="receipt-code"' in cast.text
    assert len(polls.entries_of(db, budget)) == 1


def test_results_page_and_csv_explain_each_step_in_both_languages(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    budget = make_budget(db, official(db), closed=True)
    cast_bloc(db, budget)
    client.cookies.set("lang", "en")
    page = client.get(f"/budgets/{budget.slug}/results")
    assert page.status_code == 200
    assert "90 of 100 spent on 3 projects; 10 left." in page.text
    assert "Funded in round 1: its 7 supporters paid 4.29 each." in page.text
    assert (
        "Not funded: its supporters had 10 left between them and it costs 30; nor did it fit the 10 left." in page.text
    )
    assert "Under the other rule: Greedy by votes" in page.text and 'role="img"' in page.text
    client.cookies.set("lang", "zh-TW")
    zh = client.get(f"/budgets/{budget.slug}/results")
    assert "第 1 輪獲得補助：7 位支持者各分攤 4.29。" in zh.text
    assert "預算 100 中，90 用於 3 項計畫，剩餘 10。" in zh.text
    detail = client.get(f"/polls/{budget.slug}")
    assert "budget-outcome" in detail.text and f"/budgets/{budget.slug}/results" in detail.text
    answer = client.get(f"/budgets/{budget.slug}/outcome.csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text.lstrip("\ufeff"))))
    assert [(r["project"], r["funded"], r["reason"], r["funded_under_other_rule"]) for r in rows] == [
        ("北區日照中心", "yes", "equal_shares", "yes"),
        ("北區復康巴士", "yes", "equal_shares", "yes"),
        ("南區送餐服務", "yes", "equal_shares", "no"),
        ("北區失智據點", "no", "no_fit", "yes"),
        ("南區喘息站", "no", "no_fit", "no"),
    ]
    assert rows[0]["payment_per_supporter"] == "4.29" and rows[3]["supporters_money_left"] == "10.0"


def test_hidden_results_of_a_budget_are_seen_nowhere(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    creator = official(db)
    budget = make_budget(db, creator, hide_results=True, projects=[("祕密計畫甲", 30), ("祕密計畫乙", 30)])
    polls.cast_ballot(db, budget, make_member(db), ["1"])
    results = client.get(f"/budgets/{budget.slug}/results")
    assert results.status_code == 200 and "Funded" not in results.text and "budget-outcome" not in results.text
    assert client.get(f"/budgets/{budget.slug}/outcome.csv").status_code == 404
    assert "budget-outcome" not in client.get(f"/polls/{budget.slug}/tally").text
    assert client.get("/budgets/nope/results").status_code == 404
    plain = polls.create_poll(
        db,
        creator,
        question="一般投票",
        description="",
        options=[("甲", ""), ("乙", "")],
        method="single",
        params={},
        opens_at=utcnow(),
        closes_at=utcnow() + timedelta(days=1),
    )
    assert client.get(f"/budgets/{plain.slug}/results").status_code == 404


def test_the_api_lists_budgets_with_their_method(client, db: Session) -> None:  # type: ignore[no-untyped-def]
    budget = make_budget(db, official(db), closed=True)
    cast_bloc(db, budget)
    listed = client.get("/api/v1/polls").json()
    rows = listed["items"] if isinstance(listed, dict) and "items" in listed else listed
    assert {(r["slug"], r["method"]) for r in rows} >= {(budget.slug, "budget_knapsack")}
    one = client.get(f"/api/v1/polls/{budget.slug}").json()
    funded = [r["id"] for r in one["result"]["results"] if r["funded"]]
    assert funded == ["1", "2", "4"] and one["params"] == {"rule": "equal_shares", "total": 100}
    assert one["options"][0] == {
        "id": "1",
        "label": "北區日照中心",
        "image_alt": "",
        "cost": 30,
        "description": "",
        "place_code": "63000",
        "proposal_id": None,
    }
