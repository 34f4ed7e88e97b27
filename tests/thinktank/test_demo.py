"""The demo tells the story it promises: the walk it prints leads somewhere for each user, comments
are spread over their consultations' open periods, proposals show a running and an overdue clock,
and addresses stay the same across rebuilds."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from sqlmodel import Session, select
from starlette.testclient import TestClient

from analysis.text import detect_language
from core import ballots
from core import demo as core_demo
from core.db import pk, utcnow
from core.settings import Settings
from deliberation import budget_demo, budgets, poll_results, polls
from deliberation import demo as deliberation_demo
from deliberation.models import Conversation
from feedback import comments
from feedback.models import Analysis, AnalysisTheme, AnalysisThemeComment, Comment
from participation import proposals
from participation.models import Consultation, Proposal, Signature
from tests.helpers import post
from thinktank import demo


def test_the_demo_tells_its_story(client: TestClient, db: Session, settings: Settings) -> None:
    demo.seed(db, settings)

    for _who, email, steps in demo.WALK:
        client.cookies.clear()
        signed_in = post(client, "/signin", {"email": email, "password": demo.DEMO_PASSWORD}, token_from="/signin")
        assert signed_in.status_code == 303
        for path, _what in steps:
            assert client.get(path.split("#")[0]).status_code == 200, (email, path)

    assert [c.slug for c in db.exec(select(Conversation))] == [deliberation_demo.SLUG]

    # One citizen's address is not verified: her signature on the first proposal waits, uncounted.
    client.cookies.clear()
    post(client, "/signin", {"email": core_demo.UNVERIFIED, "password": demo.DEMO_PASSWORD}, token_from="/signin")
    pending = client.get("/proposals/1", headers={"Accept-Language": "en"}).text
    assert "Your signature is pending until you confirm your e-mail address" in pending
    first = proposals.get(db, 1)
    assert (
        proposals.signature_count(db, first)
        == len(db.exec(select(Signature).where(Signature.proposal_id == 1)).all()) - 1
    )

    budget = polls.get_poll(db, budget_demo.SLUG)  # closed, with both rules' results to compare
    found = budgets.outcome(db, budget)
    assert found["chosen"]["ballots"] == 60 and polls.status(budget) == "closed"
    assert [r["id"] for r in found["chosen"]["funded"]] == ["2", "6", "3", "4"]
    assert [r["id"] for r in found["other"]["funded"]] == ["2", "1", "6", "5"]
    assert ballots.verify_ballot_file(io.StringIO(poll_results.ballot_file(db, budget)), polls.tally_header).ok

    now = utcnow()
    for consultation in db.exec(select(Consultation)):
        made = comments.list_comments(db, "consultation", pk(consultation), limit=10_000)
        if not made:
            continue
        end = min(consultation.closes_at, now)
        assert all(consultation.opens_at <= c.created_at <= end for c in made), consultation.slug
        assert len({c.created_at.date() for c in made}) > 3, consultation.slug  # not all seeded at once
        newest_first = [c.created_at for c in made]
        assert newest_first == sorted(newest_first, reverse=True)  # dated in the order they were made

    clocks = [proposals.clock(p) for p in db.exec(select(Proposal))]
    assert proposals.Clock.overdue in clocks and proposals.Clock.on_time in clocks
    overdue = next(p for p in db.exec(select(Proposal)) if proposals.clock(p) == proposals.Clock.overdue)
    assert overdue.response_due_at is not None and overdue.response_due_at < now - timedelta(days=3)


def test_the_demo_analysis_names_each_theme_in_both_languages_and_mixes_them(db: Session, settings: Settings) -> None:
    demo.seed(db, settings)
    themes = db.exec(select(AnalysisTheme).order_by(AnalysisTheme.position)).all()
    assert len(themes) >= 3
    for theme in themes:
        labels = json.loads(theme.labels)
        assert set(labels) == {"zh", "en"}, labels  # a sentence in each language, never keywords
        assert detect_language(labels["zh"]) == "zh" and detect_language(labels["en"]) == "en"
        written = db.exec(
            select(Comment.text)
            .join(AnalysisThemeComment, AnalysisThemeComment.comment_id == Comment.id)  # type: ignore[arg-type]
            .where(AnalysisThemeComment.theme_id == theme.id)
        ).all()
        assert {detect_language(text) for text in written} >= {"zh", "en"}  # no theme of one language alone
    # The form letter is the one campaign: the comments received one by one are each people's own.
    (analysis_campaigns,) = [json.loads(a.campaigns)["campaigns"] for a in db.exec(select(Analysis))]
    assert len(analysis_campaigns) == 1 and len(analysis_campaigns[0]["members"]) == 140


def test_the_demo_polls_are_an_open_one_and_a_closed_ranked_one_whose_file_verifies(
    client: TestClient, db: Session, settings: Settings
) -> None:
    import io

    from core import ballots
    from deliberation import poll_demo, polls

    demo.seed(db, settings)
    open_poll = polls.get_poll(db, poll_demo.OPEN_SLUG)
    assert polls.status(open_poll) == "open" and polls.ballot_count(db, open_poll) == 25
    ranked = polls.get_poll(db, poll_demo.RANKED_SLUG)
    result = polls.current_tally(db, ranked)
    assert [r["eliminated"] for r in result["rounds"]] == ["3", "4", None]
    assert [r["id"] for r in result["results"] if r["winner"]] == ["2"]
    check = ballots.verify_ballot_file(
        io.BytesIO(client.get(f"/polls/{ranked.slug}/ballots.jsonl").content), polls.tally_header
    )
    assert check.ok and check.ballots == 37
