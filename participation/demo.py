"""Demo consultations: drafts written for the demo, comments from demo members, and comments
received by e-mail (imported), among them a form-letter campaign whose senders each changed a
little. Built through the services, as an agency would."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session

from core import accounts
from core import demo as core_demo
from core.db import pk, utcnow
from core.settings import Settings
from feedback import analyses, comments, embeddings, importing, responses, review
from participation import demo_places, proposals, services
from participation.demo_texts import (
    CAMPAIGN_ADDITIONS,
    CAMPAIGN_CLOSINGS,
    CAMPAIGN_TEMPLATE,
    DIGITAL_DRAFT,
    GIVEN,
    HOMECARE_DRAFT,
    HOMECARE_RECEIVED,
    LTC_DRAFT,
    LTC_MEMBER_COMMENTS,
    LTC_RECEIVED,
    PLASTIC_DRAFT,
    PLASTIC_MEMBER_COMMENTS,
    SURNAMES,
)
from participation.models import Consultation


def _campaign_letters(rng: random.Random, count: int) -> list[str]:
    letters = []
    for _ in range(count):
        body = CAMPAIGN_TEMPLATE
        if rng.random() < 0.3:  # small personal edits to the template itself
            body = body.replace("照顧者不是機器", rng.choice(["照顧者不是超人", "照顧者不是機器人", "照顧者不是機器"]))
        letters.append(f"{rng.choice(CAMPAIGN_ADDITIONS)}{body}{rng.choice(CAMPAIGN_CLOSINGS)}")
    return letters


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def seed(session: Session) -> list[Consultation]:
    rng = random.Random(2026)  # the same demo every time
    now = utcnow()
    agencies = {a.slug: a for a in accounts.list_agencies(session)}
    members = {m.email: m for m in accounts.list_members(session, limit=1000)}

    def official(slug: str) -> accounts.Member:
        return next(m for m in members.values() if m.agency_id == agencies[slug].id)

    ltc = services.create_consultation(
        session,
        agencies["mohw"],
        official("mohw"),
        services.ConsultationInput(
            title="長期照顧服務法部分條文修正草案",
            summary="修正喘息服務天數、照顧服務人員薪資基準與照顧資源公開，請民眾就各條文提供意見。",
            background="## 修法背景\n\n我國於 2025 年進入**超高齡社會**，家庭照顧者平均照顧年數超過九年。"
            "本次修正參考照顧者團體與專家學者之建議。\n\n- 喘息服務使用率偏低\n- 照顧服務人員流動率高",
            text=LTC_DRAFT,
            opens_at=now - timedelta(days=10),
            closes_at=now + timedelta(days=20),
            tags="長期照顧, 高齡, 家庭照顧者",
            contact="衛生福利部長期照顧司 (02) 8590-6666",
            slug="ltc-act-amendment",
        ),
    )
    services.publish_consultation(session, ltc, at=now - timedelta(days=12))
    # The ministry revised article 4 after the first week: a second version to compare.
    revised = LTC_DRAFT.replace("每二年評估", "每年評估").replace(
        "照顧服務資源分布及等候時間", "照顧服務資源分布、等候時間及改善時程"
    )
    services.update_consultation(
        session,
        ltc,
        official("mohw"),
        services.ConsultationInput(
            ltc.title, ltc.summary, ltc.background, revised, ltc.opens_at, ltc.closes_at, ltc.tags, ltc.contact
        ),
        note="依第一週意見，第四條改為每年評估並公開改善時程。",
    )

    plastic = services.create_consultation(
        session,
        agencies["moenv"],
        official("moenv"),
        services.ConsultationInput(
            title="一次用塑膠製品源頭減量管理辦法草案",
            summary="限制主動提供塑膠吸管，並要求業者提供自備杯折價。",
            background="環境部依減塑政策時程，擬訂本辦法草案。",
            text=PLASTIC_DRAFT,
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=5),
            tags="減塑, 循環經濟",
            contact="環境部資源循環署",
            slug="single-use-plastics",
        ),
    )
    services.publish_consultation(session, plastic, at=now - timedelta(days=62))

    homecare = services.create_consultation(
        session,
        agencies["mohw"],
        official("mohw"),
        services.ConsultationInput(
            title="居家醫療整合照護計畫（草案）",
            summary="整合居家醫療與長期照顧服務，訂定訪視時限與資料共享規則。",
            background="本計畫草案已結束意見徵集，衛生福利部正在整理回應。",
            text=HOMECARE_DRAFT,
            opens_at=now - timedelta(days=45),
            closes_at=now - timedelta(days=2),
            tags="居家醫療, 長期照顧",
            contact="衛生福利部照護司",
            slug="home-care-integration",
        ),
    )
    services.publish_consultation(session, homecare, at=now - timedelta(days=46))

    services.create_consultation(
        session,
        agencies["moda"],
        official("moda"),
        services.ConsultationInput(
            title="數位身分隱私保護準則（草案）",
            summary="內部草擬中，尚未公開。",
            background="",
            text=DIGITAL_DRAFT,
            opens_at=now + timedelta(days=14),
            closes_at=now + timedelta(days=44),
            tags="數位身分, 隱私",
            slug="digital-id-privacy",
        ),
    )

    for email, article, stance, text, amendment in LTC_MEMBER_COMMENTS:
        services.comment_on_consultation(session, ltc, members[email], stance, text, article, amendment)
    # The plastics consultation has closed: its comments were made while it was open.
    for email, article, stance, text, amendment in PLASTIC_MEMBER_COMMENTS:
        numbers = {a.number for a in services.articles_of(session, services.latest_version(session, plastic))}
        comments.add_comment(
            session,
            "consultation",
            pk(plastic),
            members[email],
            stance,
            text,
            article,
            amendment,
            numbers,
            version=1,
        )

    rows = []
    for n, (article, stance, text) in enumerate(LTC_RECEIVED):
        rows.append(
            {
                "id": f"mail-{n + 1}",
                "name": _name(rng),
                "article": "" if article is None else str(article),
                "stance": stance,
                "text": text,
            }
        )
    for n, letter in enumerate(_campaign_letters(rng, 140)):
        rows.append({"id": f"form-{n + 1}", "name": _name(rng), "article": "5", "stance": "amend", "text": letter})
    thin_east = demo_places.place_picker(session, rng, demo_places.EAST_AND_ISLANDS)
    for row in rows:  # the letters' return addresses: the east coast and the islands were barely reached
        row["place"] = thin_east()
    columns = importing.Columns(text="text", id="id", author="name", article="article", stance="stance", place="place")
    importing.import_comments(session, services.subject_of(ltc), [(i + 2, row) for i, row in enumerate(rows)], columns)
    # Their vectors are encoded in another thread while the other consultations are seeded, as the
    # worker's embed_comments job would have stored them by the time an official asks for the analysis.
    ltc_vectors = embeddings.Pending(session, analyses.subject_comments(session, "consultation", pk(ltc)))

    received = [
        {"id": f"hc-{n}", "name": _name(rng), "article": "" if a is None else str(a), "stance": st, "text": t}
        for n, (a, st, t) in enumerate(HOMECARE_RECEIVED * 3)
    ]
    for row in received[len(HOMECARE_RECEIVED) :]:  # the same points again, by other people
        row["text"] = rng.choice(["我也認為", "同意前面意見：", "補充："]) + row["text"]
    everywhere = demo_places.place_picker(session, rng)
    for row in received:
        row["place"] = everywhere()
    importing.import_comments(
        session, services.subject_of(homecare), [(i + 2, r) for i, r in enumerate(received)], columns
    )
    county = demo_places.seed_county_consultation(session, rng)

    _respond_to_plastics(session, plastic, official("moenv"))
    _date_across_open_periods(session, [ltc, plastic, homecare, county], rng)
    # The analysis an official would run on the long-term care draft, computed here as the worker would.
    ltc_vectors.result()
    analysis = analyses.new_analysis(session, "consultation", pk(ltc), official("mohw"))
    analyses.run(session, analysis)
    # Published mid-consultation, as an agency may: readers then see the form letters folded and
    # the themes, and commenters see their comment's theme on /me.
    review.publish(session, analysis, official("mohw"))
    return [ltc, plastic, homecare, county]


def _date_across_open_periods(session: Session, consultations: list[Consultation], rng: random.Random) -> None:
    """Each comment dated within its consultation's open period, in the order they were made, with a
    rush near the close: the demo's charts and form-letter bursts then have the shapes real ones have
    (seeded all at once, every comment would be a minute old)."""
    now = utcnow()
    for consultation in consultations:
        made = comments.list_comments(session, "consultation", pk(consultation), limit=10_000)[::-1]  # oldest first
        start = consultation.opens_at
        span = (min(consultation.closes_at, now - timedelta(hours=1)) - start).total_seconds()
        # Seven in ten at any time; the rest in the last fifth of the period.
        shares = sorted(rng.random() if rng.random() < 0.7 else 0.8 + 0.2 * rng.random() for _ in made)
        for comment, share in zip(made, shares, strict=True):
            comment.created_at = start + timedelta(seconds=span * share)
        session.add_all(made)
    session.commit()


def _respond_to_plastics(session: Session, plastic: Consultation, official: accounts.Member) -> None:
    """The environment ministry's published answer, theme by theme."""
    rng = random.Random(7)
    rows = [
        {"id": f"p-{n}", "name": _name(rng), "article": str(a), "stance": st, "text": t}
        for n, (a, st, t) in enumerate(
            [
                (3, "support", "支持不主動提供吸管，國外早就這樣做了。"),
                (3, "support", "吸管本來就不需要，贊成。"),
                (4, "oppose", "五元折價由業者吸收，小店負擔不起。"),
                (4, "oppose", "折價金額應由業者自訂。"),
                (4, "support", "自備杯折價是很好的誘因。"),
                (2, "amend", "杯蓋和封膜也應該納入。"),
                (2, "amend", "外送平台的塑膠袋也要管。"),
                (5, "neutral", "罰則要先輔導再處罰。"),
            ]
        )
    ]
    columns = importing.Columns(text="text", id="id", author="name", article="article", stance="stance")
    importing.import_comments(session, services.subject_of(plastic), [(i + 2, r) for i, r in enumerate(rows)], columns)
    response = responses.response_for(session, "consultation", pk(plastic), create=True)
    assert response is not None
    responses.set_summary(
        session,
        response,
        f"感謝各界提供 **{len(comments.list_comments(session, 'consultation', pk(plastic), limit=1000))}** 則意見。"
        "本部依意見調整第二條適用範圍，並修正第四條折價規定。",
    )
    plan = [
        ("支持限制主動提供吸管", "adopted", "多數意見支持，維持原條文。", "", lambda c: c.article == 3),
        (
            "自備杯折價金額應有彈性",
            "partly_adopted",
            "考量小型業者負擔，改為至少折價三元，業者得自行提高。",
            "第四條「每杯應至少折價五元」修正為「每杯應至少折價三元」。",
            lambda c: c.article == 4,
        ),
        ("擴大管制品項", "under_consideration", "杯蓋、封膜與外送包材將於下一階段評估。", "", lambda c: c.article == 2),
        ("罰則與輔導", "not_adopted", "現行廢棄物清理法已有限期改善程序，無須另訂。", "", lambda c: c.article == 5),
    ]
    received = comments.list_comments(session, "consultation", pk(plastic), limit=1000)
    for title, decision, reasoning, changes, belongs in plan:
        theme = responses.add_theme(session, response, title, decision, reasoning, changes)
        members_of_theme = [pk(c) for c in received if belongs(c)]
        responses.assign(session, response, members_of_theme, theme)
        if members_of_theme:
            responses.set_representative(session, response, members_of_theme[0], True)
    # The ministry revised article 4 as it promised, then published the response.
    version = services.latest_version(session, plastic)
    revised = version.text.replace("每杯應至少折價五元", "每杯應至少折價三元，業者得自行提高折價金額")
    services.update_consultation(
        session,
        plastic,
        official,
        services.ConsultationInput(
            plastic.title,
            plastic.summary,
            plastic.background,
            revised,
            plastic.opens_at,
            plastic.closes_at,
            plastic.tags,
            plastic.contact,
        ),
        note="依公眾意見修正第四條。",
    )
    responses.publish(session, response, official)
    plastic.responded_at = response.published_at
    session.add(plastic)
    session.commit()


def seed_proposals(session: Session, settings: Settings) -> None:
    """One proposal collecting signatures, one waiting for a moderator, one not accepted, and two
    past their threshold (lowered for the demo's handful of citizens): one with the agency's clock
    running, one whose answer is overdue."""
    agencies = {a.slug: a for a in accounts.list_agencies(session)}
    members = {m.email: m for m in accounts.list_members(session, limit=1000)}
    collecting = proposals.submit(
        session,
        members["tsai.meiling@demo.thinktank.tw"],
        agencies["mohw"],
        "設立家庭照顧者津貼，每月補助五千元",
        "## 提案內容\n\n為長期在家照顧失能家人的照顧者設立每月五千元津貼。\n\n## 理由\n\n"
        "- 許多照顧者因照顧而離開職場，失去收入。\n- 津貼可以讓照顧者購買喘息與支持服務。\n\n"
        "## 財源\n\n由長照基金支應，估計每年約新台幣六十億元。",
    )
    proposals.review(session, collecting, settings, True, "符合提案規範，開放附議。")
    for email in (
        "lee.chengen@demo.thinktank.tw",
        "hsu.shuhui@demo.thinktank.tw",
        "emily.chen@demo.thinktank.tw",
        "nguyen.thilan@demo.thinktank.tw",
        "kuo.wenhsiung@demo.thinktank.tw",
    ):
        proposals.sign(session, collecting, members[email], settings)
    proposals.submit(
        session,
        members["emily.chen@demo.thinktank.tw"],
        agencies["moenv"],
        "Publish hourly PM2.5 readings for every school",
        "Parents need to know the air quality at their children's schools. Please publish hourly PM2.5 data "
        "from sensors near every primary school as open data.",
    )
    rejected = proposals.submit(
        session,
        members["kuo.wenhsiung@demo.thinktank.tw"],
        agencies["moda"],
        "全面廢除電子發票",
        "電子發票太麻煩，應該全面恢復紙本發票。",
    )
    proposals.review(session, rejected, settings, False, "電子發票屬財政部權責，請改向財政部提出。")

    few = replace(settings, proposal_threshold=5)
    citizens = [members[email] for email, *_, role, _agency in core_demo.MEMBERS if role == accounts.Role.citizen]
    for author, agency, title, body, overdue in (
        (
            "lee.chengen@demo.thinktank.tw",
            "moenv",
            "公告每所學校周邊的即時空氣品質",
            "## 提案內容\n\n請在每所國民小學周邊設置空品感測器，並以開放資料每小時公告。",
            False,
        ),
        (
            "hsu.shuhui@demo.thinktank.tw",
            "moda",
            "政府網站全面提供無障礙與多語版本",
            "## 提案內容\n\n中央機關網站應符合無障礙規範，並提供越南語、印尼語、泰語版本。",
            True,
        ),
    ):
        proposal = proposals.submit(session, members[author], agencies[agency], title, body)
        proposals.review(session, proposal, few, True, "符合提案規範，開放附議。")
        for member in citizens:
            proposals.sign(session, proposal, member, few)
        if overdue:  # reached its threshold long enough ago that the answer is late
            session.refresh(proposal)
            assert proposal.threshold_reached_at and proposal.response_due_at
            late = (proposal.response_due_at - proposal.threshold_reached_at) + timedelta(days=4)
            proposal.threshold_reached_at -= late
            proposal.response_due_at -= late
            session.add(proposal)
            session.commit()
