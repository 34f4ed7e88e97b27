"""How long each section of the analysis report takes to open with 100,000 comments.

    uv run python benchmarks/report_page.py [--comments 100000] [--campaigns 300] [--repeat 10]

The comments are consultation_page.py's (20,000 people on 20 articles). The analysis is written
as the analysis job leaves it, without running the clustering (its speed is analysis_scale.py's):
30 themes over every comment, `--campaigns` form letters (one of 10% of the comments, the rest of
10 to 100 copies each, a sentence changed in every fifth copy), and the stakeholder network built
in the shape and size the job stores it for those comments. Each section is read by the public (the analysis is
published) and by the agency's analyst (who also gets the review forms), and the printable whole
report once. The public's requests each carry a query string of their own, so that the
anonymous readers' page cache (core.response_cache) never answers them: they cost what the first
reader after any write on the site pays. Uses a fresh SQLite file, or the scratch database
DATABASE_URL names (emptied first). Prints the median and 95th percentile of each request through
the real app and its mean CPU time, beside the consultation's own page as a baseline, and the size
of the stored analysis."""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from datetime import timedelta
from typing import Any

from consultation_page import analyze, build, measured, scratch_database  # beside this script
from sqlalchemy import insert, update
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

import thinktank.registry  # noqa: F401
from core import accounts
from core.db import pk, utcnow
from feedback import analyses, responses
from feedback.models import Analysis, AnalysisTheme, AnalysisThemeComment, Comment
from participation.models import Consultation
from thinktank.app import create_app

THEMES = 30
PASSWORD = "bench-password-1"


def _campaigns(ids: list[int], count: int, rng: random.Random) -> list[list[int]]:
    """Disjoint member lists: one letter sent by a tenth of the commenters, the rest 10 to 100 copies."""
    pool = ids[:]
    rng.shuffle(pool)
    sizes = [len(ids) // 10] + [rng.randint(10, 100) for _ in range(count - 1)]
    found, start = [], 0
    for size in sizes:
        if start + size > len(pool):
            break
        found.append(sorted(pool[start : start + size]))
        start += size
    return found


def network_like_the_jobs(
    comments: list[Comment], theme_of: dict[int, int], campaign_of: dict[int, int], rng: random.Random
) -> dict[str, Any]:
    """The stored network in the shape and size `feedback.analyses._network` leaves it (every
    person, article, theme and letter; every link; the best-linked 250 laid out), with communities
    and layout drawn at random: Louvain and betweenness on 20,000 people take the job minutes,
    and the page only reads what they stored."""
    nodes: dict[str, dict[str, Any]] = {}
    links: list[list[Any]] = []

    def node(key: str, kind: str, label: str) -> None:
        if key not in nodes:
            nodes[key] = {"id": key, "kind": kind, "label": label, "community": rng.randrange(12), "degree": 0,
                          "betweenness": round(rng.random() / 100, 4), "x": None, "y": None, "strength": 0.0,
                          "participation": round(rng.random(), 4)}  # fmt: skip

    for comment in comments:
        person = responses.person_key(comment)
        node(person, "participant", f"#{len(nodes) + 1}")
        targets = [(f"theme:{theme_of[pk(comment)]}", "theme", "主題", comment.stance)]
        if comment.article is not None:
            targets.append((f"article:{comment.article}", "article", str(comment.article), comment.stance))
        if pk(comment) in campaign_of:
            number = campaign_of[pk(comment)]
            targets.append((f"campaign:{number}", "campaign", str(number + 1), "sent"))
        for key, kind, label, relation in targets:
            node(key, kind, label)
            links.append([person, key, relation, 1.0])
            nodes[person]["degree"] += 1
            nodes[key]["degree"] += 1
    order = sorted(nodes.values(), key=lambda n: -n["degree"])
    for n in order:
        n["strength"] = float(n["degree"])
    for n in order[:250]:
        n["x"], n["y"] = round(rng.random(), 4), round(rng.random(), 4)
    drawn = {n["id"] for n in order[:250]}
    actors = [n["id"] for n in order if n["kind"] == "participant"]
    return {
        "nodes": order,
        "links": [link[:3] for link in links if link[0] in drawn and link[1] in drawn],
        "all_links": links,
        "communities": [
            {"index": i, "size": len(nodes) // 12, "kinds": {"participant": len(nodes) // 12}} for i in range(12)
        ],
        "central": actors[:10],
        "bridges": actors[10:20],
        "parameters": {},
    }


def write_analysis(session: Session, consultation_id: int, campaigns: int) -> Analysis:
    rng = random.Random(3)
    comments = list(
        session.exec(
            select(Comment)
            .where(Comment.subject_kind == "consultation", Comment.subject_id == consultation_id)
            .order_by(col(Comment.id))
        )
    )
    ids = [pk(c) for c in comments]
    letters = _campaigns(ids, campaigns, rng)
    now = utcnow()
    copies = []
    for number, members in enumerate(letters):  # every fifth copy has a sentence of its own
        template = f"第{number + 1}號連署：喘息服務天數不足，照顧人力短缺，請主管機關儘速改善。"
        for index, member in enumerate(members):
            copies.append({"id": member, "text": template + ("我家中長輩需要更多協助。" if index % 5 == 0 else "")})
    session.execute(update(Comment), copies)  # bulk UPDATE by primary key
    session.commit()
    comments = list(
        session.exec(
            select(Comment)
            .where(Comment.subject_kind == "consultation", Comment.subject_id == consultation_id)
            .order_by(col(Comment.id))
        )
    )
    analysis = Analysis(subject_kind="consultation", subject_id=consultation_id, status="running", comments=len(ids))
    session.add(analysis)
    session.commit()
    themes = []
    for position in range(THEMES):
        theme = AnalysisTheme(
            analysis_id=pk(analysis),
            position=position,
            label=f"主題{position + 1}：喘息服務天數不足",
            labels=json.dumps({"zh": f"主題{position + 1}：喘息服務天數不足"}, ensure_ascii=False),
            key_terms=json.dumps(["喘息服務", "照顧人力", "薪資"], ensure_ascii=False),
        )
        session.add(theme)
        themes.append(theme)
    session.commit()
    # Themes of very different sizes, as real ones are: theme t takes a share in proportion to 1/(t+1).
    weights = [1 / (t + 1) for t in range(THEMES)]
    theme_of = {i: pk(themes[rng.choices(range(THEMES), weights)[0]]) for i in ids}
    campaign_of = {member: number for number, members in enumerate(letters) for member in members}
    for theme in themes:
        theme.representative = json.dumps([i for i in ids if theme_of[i] == theme.id][:3])
        session.add(theme)
    rows = [
        {"analysis_id": pk(analysis), "theme_id": theme_of[i], "comment_id": i, "campaign": campaign_of.get(i)}
        for i in ids
    ]
    for start in range(0, len(rows), 10_000):
        session.execute(insert(AnalysisThemeComment), rows[start : start + 10_000])
    by_id = {pk(c): c for c in comments}
    analysis.campaigns = json.dumps(
        [
            {
                "template": by_id[members[1]].text,
                "members": members,
                "first_at": now.isoformat(),
                "last_at": now.isoformat(),
                "exact_copies": len(members) - len(members) // 5,
            }
            for members in letters
        ],
        ensure_ascii=False,
    )
    network = network_like_the_jobs(comments, theme_of, campaign_of, rng)
    analysis.network = json.dumps(network, ensure_ascii=False)
    analysis.network_page = json.dumps(analyses.network_page(network), ensure_ascii=False)  # as the job does
    analysis.volume = json.dumps([((now - timedelta(days=d)).date().isoformat(), 1600 + d) for d in range(60, 0, -1)])
    analysis.method = json.dumps(
        {
            "themes": {"algorithm": "bench", "k": THEMES, "automatic": True, "modularity": 0.5},
            "campaigns": {"algorithm": "MinHash LSH", "shingle": 5, "hashes": 128, "bands": 32, "threshold": 0.5},
            "network": {"algorithm": "bench"},
            "text": "bench",
            "versions": {},
        }
    )
    analysis.input_hash, analysis.status = "0" * 64, "done"
    analysis.finished_at = analysis.published_at = utcnow()
    session.add(analysis)
    session.commit()
    return analysis


def analyst_client(app: object, session: Session, agency_slug: str) -> TestClient:
    agency = accounts.get_agency(session, agency_slug)
    member = accounts.sign_up(session, "analyst@bench.tw", PASSWORD, "分析師")
    accounts.mark_email_verified(session, member)
    accounts.grant_role(session, member, "agency_official", agency=agency)
    client = TestClient(app)  # type: ignore[arg-type]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert token, "no CSRF token on /signin"
    data = {"csrf_token": token.group(1), "email": member.email, "password": PASSWORD}
    assert client.post("/signin", data=data, follow_redirects=False).status_code == 303
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--campaigns", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    settings, engine = scratch_database()
    started = time.perf_counter()
    with Session(engine) as session:
        slug = build(session, args.comments)
        consultation = session.exec(select(Consultation).where(Consultation.slug == slug)).one()
        analysis = write_analysis(session, pk(consultation), args.campaigns)
        analyze(session)
        stored = {name: len(getattr(analysis, name)) for name in ("campaigns", "network", "network_page", "volume")}
        pages = -(-len(json.loads(analysis.campaigns)) // 20)
        app = create_app(settings, engine=engine)
        analyst = analyst_client(app, session, "bench")
    print(
        f"database: {engine.dialect.name}; {args.comments:,} comments, {THEMES} themes and the analysis written"
        f" in {time.perf_counter() - started:.1f} s; stored JSON: "
        + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in stored.items())
    )
    public = TestClient(app)
    base = f"/c/{slug}/analysis"
    sections = [
        ("themes", "?section=themes"),
        ("stance by article", "?section=articles"),
        ("form letters, page 1", "?section=campaigns"),
        (f"form letters, page {pages}", f"?section=campaigns&page={pages}"),
        ("network", "?section=network"),
        ("comments over time", "?section=volume"),
        ("method", "?section=method"),
    ]
    # The baseline, in the same run: the consultation's own page (of the analysis, only whether it is published).
    rows = [("public", "baseline: the page itself", public, f"/c/{slug}", args.repeat)]
    for who, client in (("public", public), ("analyst", analyst)):
        rows += [(who, label, client, base + query, args.repeat) for label, query in sections]
    rows.append(("public", "whole report, printable", public, base + "?section=all", max(1, args.repeat // 5)))
    for who, label, client, path, repeat in rows:
        median, p95, cpu = measured(client, path, repeat, uncached=client is public)
        print(f"{who:<8} {label:<26} median {median:8.1f} ms   p95 {p95:8.1f} ms   cpu {cpu:8.1f} ms")


if __name__ == "__main__":
    main()
