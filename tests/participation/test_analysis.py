"""The analysis of a consultation's comments through the real app: run it (the job runs in the
test process), review the themes, publish them into the response, and read the report."""

import csv
import io
import json
import xml.etree.ElementTree as ET

from sqlmodel import Session, select
from starlette.testclient import TestClient

from feedback import responses
from feedback.models import Analysis, AnalysisEdit, AnalysisTheme, AnalysisThemeComment, Comment
from participation import services
from tests.helpers import make_member, post, sign_in
from tests.participation.factories import agency_and_official, consultation

LETTER = "我反對一次性塑膠吸管全面禁用，這會造成身心障礙者與長者的不便，請保留其他選擇並延後實施日期，謝謝。"
RESPITE = [
    "喘息服務的天數太少，家庭照顧者需要更多喘息服務",
    "喘息服務每年三十日仍然不夠照顧者使用",
    "希望喘息服務可以增加天數並簡化申請流程",
    "照顧失智的母親很累，喘息服務要能臨時申請",
    "偏鄉的喘息服務據點不足",
    "支持增加喘息服務日數",
]
WAGES = [
    "照顧服務員薪資太低，應訂定薪資基準",
    "提高照顧服務員薪資才能留住照顧人力",
    "照顧服務員的薪資基準應該分區訂定",
    "薪資基準要考慮夜班與交通時間",
    "照服員流動率高是因為薪資不足",
    "外籍看護與照顧服務員的薪資差距太大",
]


def _commented(db: Session):  # type: ignore[no-untyped-def]
    """An open consultation with 6 people's comments on two subjects and a 5-letter campaign."""
    _agency, official = agency_and_official(db)
    ltc = consultation(db)
    people = [make_member(db, f"p{i}@example.tw", name=f"民眾{i}") for i in range(6)]
    org = make_member(db, "org@example.tw", name="協會")
    org.org_name, org.org_type = "台灣照顧者協會", "ngo"
    db.add(org)
    db.commit()
    for i, text in enumerate(RESPITE):
        services.comment_on_consultation(db, ltc, people[i], "support", text, 2)
    for i, text in enumerate(WAGES):
        services.comment_on_consultation(db, ltc, people[i], "amend" if i % 2 else "oppose", text, 3, "第三條 修正")
    services.comment_on_consultation(db, ltc, org, "support", "喘息服務與照顧服務員薪資都需要改善", 2)
    senders = [make_member(db, f"s{i}@example.tw", name=f"連署{i}") for i in range(5)]
    for i, sender in enumerate(senders):
        text = LETTER if i else LETTER.replace("謝謝。", "我的父親需要吸管才能喝水。謝謝。")
        services.comment_on_consultation(db, ltc, sender, "oppose", text)
    return ltc, official


def _run(client: TestClient, k: str = "") -> object:
    return post(client, "/c/ltc/analysis/run", {"k": k}, token_from="/c/ltc/analysis")


def test_an_official_runs_the_analysis_and_sees_themes_campaigns_and_the_network(
    client: TestClient, db: Session
) -> None:
    _ltc, official = _commented(db)
    sign_in(client, official)
    assert "這些意見尚未分析" in client.get("/c/ltc/analysis").text
    response = _run(client, "3")
    assert response.status_code == 303
    analysis = db.exec(select(Analysis)).one()
    assert analysis.status == "done" and analysis.comments == 18 and analysis.k == 3
    page = client.get("/c/ltc/analysis?section=all")
    assert page.status_code == 200
    assert "共 18 則意見：5 則屬於 1 組制式意見，13 則為個別意見。" in page.text
    assert LETTER in page.text and "我的父親需要吸管才能喝水。" in page.text  # the template, and what one sender added
    assert "喘息服務" in page.text and "薪資" in page.text
    assert 'class="network"' in page.text and "台灣照顧者協會" in page.text and "p0@example.tw" not in page.text
    assert "scikit-learn" in page.text and analysis.input_hash[:16] in page.text
    themes = db.exec(select(AnalysisTheme)).all()
    assert len(themes) == 3
    placed = db.exec(select(AnalysisThemeComment)).all()
    assert len(placed) == 18 and sum(1 for p in placed if p.campaign == 0) == 5
    # The five letters sit in one theme: a campaign is one unit.
    assert len({p.theme_id for p in placed if p.campaign == 0}) == 1


def test_a_rerun_on_unchanged_input_reuses_the_result_and_a_new_comment_recomputes(
    client: TestClient, db: Session
) -> None:
    ltc, official = _commented(db)
    sign_in(client, official)
    _run(client)
    analysis = db.exec(select(Analysis)).one()
    theme = db.exec(select(AnalysisTheme)).first()
    post(
        client,
        "/c/ltc/analysis/themes",
        {"action": "rename", "theme": str(theme.id), "label": "照顧者的喘息"},
        token_from="/c/ltc/analysis",
    )
    finished = analysis.finished_at
    again = _run(client)
    assert again.status_code == 303 and "保留原結果" in client.get("/c/ltc/analysis").text
    db.expire_all()
    assert analysis.finished_at == finished and db.get(AnalysisTheme, theme.id).label == "照顧者的喘息"
    services.comment_on_consultation(db, ltc, make_member(db, "late@example.tw"), "support", "喘息服務很重要", 2)
    _run(client)
    db.refresh(analysis)
    assert analysis.comments == 19 and analysis.finished_at != finished


def test_review_rename_merge_split_and_move_are_recorded(client: TestClient, db: Session) -> None:
    _ltc, official = _commented(db)
    sign_in(client, official)
    _run(client, "3")
    first, second, third = (t.id for t in db.exec(select(AnalysisTheme).order_by(AnalysisTheme.id)).all())

    def edit(**form: str):  # type: ignore[no-untyped-def]
        return post(client, "/c/ltc/analysis/themes", form, token_from="/c/ltc/analysis")

    assert edit(action="rename", theme=str(first), label="新名稱").status_code == 303
    assert edit(action="rename", theme=str(first), label="  ").status_code == 400
    assert edit(action="merge", theme=str(third), into=str(second)).status_code == 303
    db.expire_all()
    assert db.get(AnalysisTheme, third) is None
    members = [
        p.comment_id for p in db.exec(select(AnalysisThemeComment).where(AnalysisThemeComment.theme_id == second))
    ]
    split = post(
        client,
        "/c/ltc/analysis/themes",
        {"action": "split", "theme": str(second), "label": "分出來的", "comment": [str(members[0])]},
        token_from="/c/ltc/analysis",
    )
    assert split.status_code == 303
    new = db.exec(select(AnalysisTheme).where(AnalysisTheme.label == "分出來的")).one()
    moved = post(
        client,
        "/c/ltc/analysis/themes",
        {"action": "move", "theme": str(new.id), "into": str(first), "comment": [str(members[0])]},
        token_from="/c/ltc/analysis",
    )
    assert moved.status_code == 303
    db.expire_all()
    assert (
        db.exec(select(AnalysisThemeComment).where(AnalysisThemeComment.comment_id == members[0])).one().theme_id
        == first
    )
    assert edit(action="move", theme=str(first), into=str(second)).status_code == 400  # nothing ticked
    assert edit(action="move", theme=str(first), into="99999", comment="1").status_code == 404
    assert edit(action="explode", theme=str(first)).status_code == 400
    actions = [e.action for e in db.exec(select(AnalysisEdit).order_by(AnalysisEdit.id))]
    assert actions == ["rerun", "rename", "merge", "split", "move"]
    page = client.get("/c/ltc/analysis?section=method")
    assert "重新命名了主題" in page.text and "合併了兩個主題" in page.text


def test_citizens_see_nothing_until_published_then_the_report_and_its_downloads(
    client: TestClient, db: Session
) -> None:
    ltc, official = _commented(db)
    sign_in(client, official)
    _run(client, "2")
    client.cookies.clear()
    citizen = make_member(db, "reader@example.tw")
    sign_in(client, citizen)
    hidden = client.get("/c/ltc/analysis")
    assert hidden.status_code == 200 and LETTER not in hidden.text
    assert client.get("/c/ltc/analysis.csv").status_code == 404
    assert _run(client).status_code == 403
    assert post(client, "/c/ltc/analysis/publish", {}, token_from="/c/ltc").status_code == 403
    client.cookies.clear()
    sign_in(client, official)
    assert post(client, "/c/ltc/analysis/publish", {}, token_from="/c/ltc/analysis").status_code == 303
    response = responses.response_for(db, "consultation", ltc.id)
    themes = responses.themes_of(db, response)
    assert len(themes) == 2
    assert sum(s.comments for s in responses.summarise(db, response)) == 18
    client.cookies.clear()
    sign_in(client, citizen)
    assert LETTER in client.get("/c/ltc/analysis?section=campaigns").text
    rows = list(csv.reader(io.StringIO(client.get("/c/ltc/analysis.csv").text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["theme", "key_terms", "comments", "people"] and len(rows) == 3
    data = client.get("/c/ltc/analysis.json").json()
    assert data["counts"] == {"comments": 18, "in_campaigns": 5, "campaigns": 1, "individual": 13, "paraphrases": 0}
    assert sorted(i for t in data["themes"] for i in t["members"]) == sorted(c.id for c in db.exec(select(Comment)))
    graphml = ET.fromstring(client.get("/c/ltc/network.graphml").content)
    assert graphml.tag.endswith("graphml")
    assert "台灣照顧者協會" in client.get("/c/ltc/network.gexf").text
    assert json.dumps(data, ensure_ascii=False).count("@example.tw") == 0


def test_no_comments_and_bad_numbers_are_explained(client: TestClient, db: Session) -> None:
    _agency, official = agency_and_official(db)
    consultation(db)
    sign_in(client, official)
    empty = _run(client)
    assert empty.status_code == 400 and db.exec(select(Analysis)).all() == []
    assert _run(client, "abc").status_code == 400
    assert _run(client, "500").status_code == 400


def test_the_report_has_a_print_button_only_once_there_is_a_report(client: TestClient, db: Session) -> None:
    _ltc, official = _commented(db)
    sign_in(client, official)
    assert "data-print" not in client.get("/c/ltc/analysis").text  # nothing to print yet
    _run(client, "2")
    page = client.get("/c/ltc/analysis").text
    # The button (hidden until the script shows it) opens the whole report on one page to print it;
    # without JavaScript a link leads there instead.
    whole = "/c/ltc/analysis?section=all"
    assert (
        f'<button type="button" class="print-button no-print" data-print data-print-page="{whole}" hidden>列印報告</button>'
        in page
    )
    assert f'<a href="{whole}" class="button print-button no-print" data-print-link>列印報告</a>' in page
    assert '<script src="/static/print.js" defer></script>' in page
    assert 'id="method-title"' in client.get(whole).text  # that page holds every section


def test_an_analysis_whose_job_was_lost_says_so_and_can_be_run_again(client: TestClient, db: Session, app) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from core import jobs
    from core.db import utcnow

    _ltc, official = _commented(db)
    sign_in(client, official)
    assert _run(client, "3").status_code == 303
    analysis = db.exec(select(Analysis)).one()
    # Its worker vanished for the last time in the middle of a rerun: the row says running, the lease ran out.
    analysis.status = "running"
    db.add(analysis)
    lost = jobs.Job(
        kind="analyze_comments",
        payload=json.dumps({"analysis_id": analysis.id}),
        inputs_hash=jobs.inputs_hash({"analysis_id": analysis.id}),
        status="running",
        attempts=jobs.MAX_ATTEMPTS,
        lease_until=utcnow() - timedelta(seconds=1),
    )
    db.add(lost)
    db.commit()
    assert _run(client, "3").status_code == 303  # the job still holds it: this asks for nothing new
    db.refresh(analysis)
    assert analysis.status == "running"
    app.state.queue.sweep()
    db.refresh(analysis)
    assert analysis.status == "failed" and analysis.error == "lost"
    assert "工作多次中斷，未能完成，請稍後再試。" in client.get("/c/ltc/analysis").text
    assert _run(client, "3").status_code == 303  # asked for again at once, not an hour later
    db.refresh(analysis)
    assert analysis.status == "done"


RESPITE_EN = [
    "Respite care days are too few for family carers",
    "Family caregivers need more respite service days every year",
    "Please add respite days and make respite easier to apply for",
]
WAGES_EN = [
    "Care workers' wages are too low to keep them",
    "Raise the pay of home care workers",
    "Set a minimum wage standard for care workers",
]


def test_a_theme_is_named_in_each_reader_s_language_until_an_analyst_renames_it(
    client: TestClient, db: Session
) -> None:
    _agency, official = agency_and_official(db)
    ltc = consultation(db)
    texts = RESPITE + WAGES + RESPITE_EN + WAGES_EN
    people = [make_member(db, f"p{i}@example.tw", name=f"民眾{i}") for i in range(len(texts))]
    for person, text in zip(people, texts, strict=True):
        services.comment_on_consultation(db, ltc, person, "support", text)
    sign_in(client, official)
    _run(client, "2")
    english = {c.id for c in db.exec(select(Comment).where(Comment.text.in_(RESPITE_EN)))}  # type: ignore[attr-defined]
    placed = db.exec(select(AnalysisThemeComment).where(AnalysisThemeComment.comment_id.in_(english))).all()  # type: ignore[attr-defined]
    assert len({p.theme_id for p in placed}) == 1  # the English comments on respite share one theme...
    theme = db.get(AnalysisTheme, placed[0].theme_id)
    assert theme is not None
    names = json.loads(theme.labels)
    assert set(names) == {"zh", "en"}  # ...with the Chinese ones, so it has a name in each language
    assert names["en"] in RESPITE_EN and "喘息服務" in names["zh"]
    assert names["zh"] in client.get("/c/ltc/analysis").text
    english_page = client.get("/c/ltc/analysis", headers={"Accept-Language": "en"}).text
    assert f'<span lang="en">{names["en"]}</span>' in english_page
    form = {"action": "rename", "theme": str(theme.id), "label": "喘息服務"}
    post(client, "/c/ltc/analysis/themes", form, token_from="/c/ltc/analysis")
    db.refresh(theme)
    assert theme.label == "喘息服務" and json.loads(theme.labels) == {}
    assert (
        '<span lang="zh-Hant">喘息服務</span>' in client.get("/c/ltc/analysis", headers={"Accept-Language": "en"}).text
    )


def test_each_section_of_the_report_is_its_own_page(client: TestClient, db: Session) -> None:
    _ltc, official = _commented(db)
    sign_in(client, official)
    _run(client, "3")
    themes = client.get("/c/ltc/analysis").text  # the themes first
    assert 'id="themes-title"' in themes and 'id="campaigns-title"' not in themes and 'class="network"' not in themes
    assert '<a href="?section=themes" aria-current="page">' in themes
    campaigns = client.get("/c/ltc/analysis?section=campaigns").text
    assert LETTER in campaigns and 'id="themes-title"' not in campaigns and 'id="method-title"' not in campaigns
    assert "第 1 頁" not in campaigns  # one page of form letters: no pager
    method = client.get("/c/ltc/analysis?section=method", headers={"Accept-Language": "en"}).text
    assert "sentence embeddings (USE multilingual v3)" in method and "shingles of" in method
    method_zh = client.get("/c/ltc/analysis?section=method").text
    assert (
        "句子向量（USE 多語言第 3 版）" in method_zh and "sentence embeddings" not in method_zh
    )  # the method, translated
    everything = client.get("/c/ltc/analysis?section=all").text
    assert all(
        f'id="{name}-title"' in everything for name in ("themes", "matrix", "campaigns", "network", "volume", "method")
    )
    articles = client.get("/c/ltc/analysis?section=articles").text  # read from the themes' counts alone
    matrix = articles[articles.index('<section aria-labelledby="matrix-title">') :]
    matrix = matrix[: matrix.index("</section>")]
    assert "支持 " in matrix and matrix in everything and 'id="themes-title"' not in articles
    assert client.get("/c/ltc/analysis?section=secrets").status_code == 404
    assert client.get("/c/ltc/analysis?section=campaigns&page=-1").status_code == 400
    assert client.get("/c/ltc/analysis?section=campaigns&page=9").status_code == 200  # past the end: the last page


def test_the_method_texts_the_report_translates_are_the_ones_an_analysis_stores(
    client: TestClient, db: Session
) -> None:
    from feedback.analyses import METHOD_TEXTS

    _ltc, official = _commented(db)
    sign_in(client, official)
    _run(client, "3")
    method = json.loads(db.exec(select(Analysis)).one().method)
    stored = {
        method["themes"]["algorithm"],
        method["campaigns"]["algorithm"],
        method["network"]["algorithm"],
        method["text"],
    }
    assert stored == set(METHOD_TEXTS)  # a description changed in the analysis package must change here too


def test_the_network_names_its_best_linked_nodes_on_the_map_after_the_table(client: TestClient, db: Session) -> None:
    _ltc, official = _commented(db)
    sign_in(client, official)
    _run(client, "3")
    page = client.get("/c/ltc/analysis?section=network").text
    assert page.index("<table") < page.index("<svg viewBox")  # the table first: it reads on any screen
    names = page.count('class="node-name"')
    assert 1 <= names <= 12
    assert '<text x="' in page and ">台灣照顧者協會</text>" in page  # the organisation, named where it sits
    assert "參與者 #1" in page  # private members numbered in this report, never named


COAL_ASH = "Please give the public sixty more days to comment on the coal ash rule."
REWORDED = [  # the same request in other words: alike by sentence embeddings, not by shingles
    "Allow sixty additional days of public comment on the coal ash rule.",
    "Give us sixty extra days to send comments about the coal ash rule.",
]


def test_two_reworded_letters_show_as_a_paraphrase_group_apart_from_the_form_letter_count(
    client: TestClient, db: Session
) -> None:
    ltc, official = _commented(db)
    for i in range(3):  # a second form letter, in English ...
        services.comment_on_consultation(db, ltc, make_member(db, f"ash{i}@example.tw"), "support", COAL_ASH)
    for i, text in enumerate(REWORDED):  # ... and two letters that reword it
        services.comment_on_consultation(db, ltc, make_member(db, f"reworded{i}@example.tw"), "support", text)
    sign_in(client, official)
    _run(client, "3")
    stored = json.loads(db.exec(select(Analysis)).one().campaigns)
    assert [len(c["members"]) for c in stored["campaigns"]] == [5, 3]  # the reworded two are in no campaign
    assert [(len(g["members"]), g["campaigns"]) for g in stored["paraphrases"]] == [(5, [1])]
    page = client.get("/c/ltc/analysis?section=campaigns", headers={"Accept-Language": "en"}).text
    assert "23 comments: 8 in 2 form letters and 15 individual comments." in page  # the reworded two stay individual
    listed = page[page.index('id="paraphrases-title"') :]
    assert "Reworded alike (paraphrases) — not counted as form letters" in listed
    assert "Reworded group 1: 5 comments" in listed and COAL_ASH in listed
    assert 'Joins the form letters: <a href="?section=campaigns&amp;page=1#campaign-2">Form letter 2</a>' in listed
    assert 'id="campaign-' not in listed  # listed after the form letters, never among them
    zh = client.get("/c/ltc/analysis?section=campaigns").text
    assert "換句話說的相同意見（改寫）——不計入制式意見" in zh and "改寫群組 1：5 則意見" in zh
    data = client.get("/c/ltc/analysis.json").json()
    assert data["counts"]["campaigns"] == 2 and data["counts"]["paraphrases"] == 1
    assert [sorted(g["members"]) for g in data["paraphrases"]] == [
        sorted(c.id for c in db.exec(select(Comment)) if "coal ash" in c.text)
    ]


def test_a_run_stored_before_the_paraphrase_tier_still_reads_and_a_long_paraphrase_list_is_paged(
    client: TestClient, db: Session
) -> None:
    """Campaigns stored as a list alone (before the paraphrase tier): the report reads them, with
    no paraphrase list. Then 21 stored groups: 20 on the first page, the 21st on the second."""
    _ltc, official = _commented(db)
    sign_in(client, official)
    _run(client, "3")
    analysis = db.exec(select(Analysis)).one()
    analysis.campaigns = json.dumps(json.loads(analysis.campaigns)["campaigns"], ensure_ascii=False)
    db.add(analysis)
    db.commit()
    page = client.get("/c/ltc/analysis?section=campaigns").text
    assert LETTER in page and "共 18 則意見：5 則屬於 1 組制式意見，13 則為個別意見。" in page
    assert 'id="paraphrases-title"' not in page
    assert client.get("/c/ltc/analysis.json").json()["paraphrases"] == []
    stored = json.loads(analysis.campaigns)
    ids = [c.id for c in db.exec(select(Comment)) if c.text != LETTER][:3]
    group = {"template": "x", "members": ids, "first_at": None, "last_at": None, "exact_copies": 1, "campaigns": []}
    groups = [group | {"template": f"reworded message {n}"} for n in range(1, 22)]
    analysis.campaigns = json.dumps({"campaigns": stored, "paraphrases": groups})
    db.add(analysis)
    db.commit()
    first = client.get("/c/ltc/analysis?section=campaigns", headers={"Accept-Language": "en"}).text
    assert "reworded message 20<" in first and "reworded message 21<" not in first and "Page 1 of 2" in first
    assert "Joins no form letter" in first and "1 form letters" in first  # the count line as before
    second = client.get("/c/ltc/analysis?section=campaigns&paraphrase_page=2").text
    assert "reworded message 21<" in second and "reworded message 1<" not in second and LETTER in second
    assert client.get("/c/ltc/analysis?section=campaigns&paraphrase_page=x").status_code == 400
    # With form letters on more than one page too, each pager keeps the other's page.
    analysis.campaigns = json.dumps({"campaigns": stored * 21, "paraphrases": groups})
    db.add(analysis)
    db.commit()
    both = client.get("/c/ltc/analysis?section=campaigns&paraphrase_page=2").text
    assert 'href="?section=campaigns&amp;page=2&amp;paraphrase_page=2"' in both
    assert 'href="?section=campaigns&amp;page=1&amp;paraphrase_page=1#paraphrases-title"' in both
