"""The report's theme counts, from grouped queries: comments, people as `person_key` tells them
apart, stances, articles, form letters, and only the comments shown read."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select
from starlette.testclient import TestClient

from core.db import pk, utcnow
from feedback import analyses, report, responses
from feedback.models import Analysis, Comment
from participation import services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation

LETTER = "喘息服務天數不足，請主管機關儘速改善，增加家庭照顧者每年可使用的喘息服務日數，謝謝。"


def test_theme_counts_match_the_comments_one_by_one(client: TestClient, db: Session) -> None:
    _agency, official = agency_and_official(db)
    ltc = consultation(db)
    wang, chen = make_member(db, "wang@example.tw", name="王小明"), make_member(db, "chen@example.tw", name="陳大文")
    services.comment_on_consultation(db, ltc, wang, "support", "喘息服務天數不足", 2)
    services.comment_on_consultation(db, ltc, wang, "oppose", "照顧服務員薪資太低", 3)
    services.comment_on_consultation(db, ltc, chen, "support", "喘息服務應該增加", 2)
    # Imported letters: two from one named sender, one from a sender with no name (a person each).
    now = utcnow()
    imported = [("李阿姨", "i1"), ("李阿姨", "i2"), ("", "i3")]
    row = {"subject_kind": "consultation", "subject_id": ltc.id, "stance": "oppose", "text": LETTER, "amendment": ""}
    rows = [
        {**row, "author_name": name, "source": "import", "dedupe_key": key, "created_at": now} for name, key in imported
    ]
    db.execute(insert(Comment), rows)
    db.commit()
    sign_in(client, official)
    assert post(client, "/c/ltc/analysis/run", {"k": "1"}, token_from="/c/ltc/analysis").status_code == 303
    analysis = analyses.analysis_for(db, "consultation", pk(ltc))
    assert analysis is not None and analysis.status == "done"
    every = analyses.subject_comments(db, "consultation", pk(ltc))
    (view,) = report.theme_views(db, analysis, members_shown=2, with_member_ids=True)
    assert view.size == 6 and view.people == len({responses.person_key(c) for c in every}) == 4
    assert view.stances == {"support": 2, "oppose": 4}
    assert view.articles == {2: {"support": 2}, 3: {"oppose": 1}}
    letters = report.stored_campaigns(analysis)["campaigns"]
    assert view.campaigns == {0: 3} and len(letters) == 1 and view.individual == 3
    assert view.member_ids == sorted(pk(c) for c in every)
    assert [pk(c) for c in view.members] == view.member_ids[:2]  # the first shown, oldest first
    (plain,) = report.theme_views(db, analysis, members_shown=0)
    assert plain.member_ids == [] and plain.members == [] and plain.size == 6
    (table,) = report.theme_counts(db, analysis)  # the stance-by-article table's counts alone
    assert (table.theme.id, table.size, table.stances, table.articles) == (
        view.theme.id,
        view.size,
        view.stances,
        view.articles,
    )
    assert "6 comments from 4 people" in client.get("/c/ltc/analysis", headers={"Accept-Language": "en"}).text


def _synthetic_network(nodes: int) -> dict[str, Any]:
    """A stored network of `nodes` participants in the job's shape: the first 250 laid out, one
    beyond the table's reach laid out too, and a most-central one and a bridge beyond it."""
    listed = [
        {"id": f"member:{n}", "kind": "participant", "label": f"#{n + 1}", "community": n % 3, "degree": nodes - n,
         "betweenness": 0.0, "x": None, "y": None, "strength": 1.0, "participation": 0.0}
        for n in range(nodes)
    ]  # fmt: skip
    for n in [*range(250), nodes - 50]:
        listed[n]["x"], listed[n]["y"] = (n % 50) / 50, (n // 50) / 50
    links = [[f"member:{n}", f"member:{n + 1}", "support"] for n in range(249)]
    return {
        "nodes": listed,
        "links": links,
        "all_links": [[*link, 1.0] for link in links],
        "communities": [{"index": i, "size": nodes // 3, "kinds": {"participant": nodes // 3}} for i in range(3)],
        "central": ["member:0", f"member:{nodes - 30}"],
        "bridges": [f"member:{nodes - 20}"],
        "parameters": {},
    }


def test_the_network_s_page_part_is_what_the_page_shows_of_the_whole(client: TestClient, db: Session) -> None:
    """The job stores the part of the network the page shows; the page reads the same from it as
    from the whole network, which is all an analysis stored before that part has."""
    _agency, official = agency_and_official(db)
    ltc = consultation(db)
    wang = make_member(db, "wang@example.tw", name="王小明")
    services.comment_on_consultation(db, ltc, wang, "support", "喘息服務天數不足", 2)
    services.comment_on_consultation(db, ltc, wang, "oppose", "照顧服務員薪資太低", 3)
    sign_in(client, official)
    assert post(client, "/c/ltc/analysis/run", {"k": "1"}, token_from="/c/ltc/analysis").status_code == 303
    client.get("/c/ltc/analysis")  # shows the flash message once
    analysis = db.exec(select(Analysis)).one()
    whole, part = json.loads(analysis.network), json.loads(analysis.network_page)
    assert part == analyses.network_page(whole) and part["node_count"] == len(whole["nodes"]) > 0
    assert "all_links" not in part and part["links"] == whole["links"]

    network = _synthetic_network(700)
    part = analyses.network_page(network)
    kept = [int(n["id"].split(":")[1]) for n in part["nodes"]]
    assert kept == [*range(analyses.NETWORK_TABLE_ROWS), 650, 670, 680]  # in the stored order
    assert part["node_count"] == 700 and "all_links" not in part

    def page(stored_part: str) -> str:
        analysis.network, analysis.network_page = json.dumps(network), stored_part
        db.add(analysis)
        db.commit()
        text = client.get("/c/ltc/analysis?section=network", headers={"Accept-Language": "en"}).text
        return re.sub(r'(csrf_token" value="|"X-CSRF-Token": ")[^"]+', "", text)

    derived = page("")  # stored before the page part existed
    assert derived == page(json.dumps(part))
    assert derived == page(json.dumps(part | {"table_rows": 20}))  # another table length: derived again
    assert "Every node, as a table (700)" in derived and derived.count("<tr><td>Participant #") == 500
    assert "Participant #671" in derived and "Participant #681" in derived  # most central, bridge
    assert derived.count("<circle") == 251 and derived.count("<line") == 249
