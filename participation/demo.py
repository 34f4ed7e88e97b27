"""Demo consultations: drafts written for the demo, comments from demo members, and comments
received by e-mail (imported), among them a form-letter campaign whose senders each changed a
little. Built through the services, as an agency would."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session

from core import accounts
from core.db import pk, utcnow
from core.settings import Settings
from participation import analyses, importing, proposals, responses, services
from participation.models import Consultation

LTC_DRAFT = """本草案修正長期照顧服務法部分條文，回應高齡化與照顧人力短缺，並強化家庭照顧者支持。

第一條 為健全長期照顧服務體系，保障接受服務者與照顧者之尊嚴及權益，特制定本法。

第二條 本法所稱主管機關：在中央為衛生福利部；在直轄市為直轄市政府；在縣（市）為縣（市）政府。

第三條 長期照顧服務對象，指身心失能持續已達或預期達六個月以上，且需他人協助日常生活者。

第四條 直轄市、縣（市）主管機關應每二年評估轄區照顧需求，並公開照顧服務資源分布及等候時間。

第五條 家庭照顧者得申請喘息服務，每年合計以二十一日為上限；照顧失智者，得增加七日。

第六條 長期照顧服務人員之薪資，不得低於中央主管機關公告之基準；基準每年檢討一次。

第七條 中央主管機關應建置長期照顧服務資料平臺，提供民眾查詢服務單位、評鑑結果及收費資訊。
"""

PLASTIC_DRAFT = """為減少一次用塑膠製品之使用，推動源頭減量，訂定本辦法。

第一條 本辦法依廢棄物清理法第二十一條規定訂定之。

第二條 本辦法所稱一次用塑膠製品，指塑膠製之吸管、杯、餐具及購物用塑膠袋。

第三條 連鎖飲料店及便利商店，不得主動提供一次用塑膠吸管；消費者索取者，不在此限。

第四條 自中華民國一百十六年起，前條業者提供自備杯者，每杯應至少折價五元。

第五條 違反第三條規定者，經限期改善而屆期未改善者，依廢棄物清理法規定處罰。
"""

DIGITAL_DRAFT = """## 第一條 目的
為保障民眾使用數位身分時之隱私與自主，訂定本準則。

## 第二條 最小蒐集
機關使用數位身分驗證時，僅得蒐集完成該次服務所必要之資料。

## 第三條 替代管道
機關不得以數位身分為唯一之服務管道，應保留臨櫃或書面申辦方式。
"""

HOMECARE_DRAFT = """第一條 為整合居家醫療與長期照顧，訂定本計畫。

第二條 居家醫療團隊應於收案後七日內完成首次訪視。

第三條 參與計畫之醫事機構，應與長期照顧服務單位共享個案照護計畫。

第四條 個案照護資料之共享，應經個案或其家屬書面同意。
"""

HOMECARE_RECEIVED = [
    (2, "oppose", "七日內首次訪視在偏鄉做不到，醫師人力不足。"),
    (2, "amend", "建議改為十四日內，偏鄉地區得延長。"),
    (2, "oppose", "山區交通時間長，七日太趕。"),
    (3, "support", "醫療和照顧資料不互通是目前最大的問題，支持共享。"),
    (3, "support", "共享照護計畫可以避免重複評估，減少長輩奔波。"),
    (4, "support", "個資要有同意機制，支持書面同意。"),
    (4, "amend", "書面同意太麻煩，應允許電子同意。"),
    (4, "oppose", "失智長輩無法表達意願時，家屬同意的程序要更清楚。"),
    (None, "neutral", "希望公布試辦地區與經費。"),
    (None, "support", "整合方向正確，期待早日上路。"),
]

# (author's e-mail, article or None, stance, text, amendment)
LTC_MEMBER_COMMENTS = [
    (
        "tsai.meiling@demo.thinktank.tw",
        5,
        "amend",
        "喘息服務二十一日對長期照顧失能家人的照顧者來說遠遠不夠，多數照顧者每天工作超過十小時。建議提高上限並簡化申請程序。",
        "家庭照顧者得申請喘息服務，每年合計以三十日為上限；照顧失智者或重度失能者，得增加十四日。申請程序應於十日內完成審核。",
    ),
    (
        "lee.chengen@demo.thinktank.tw",
        4,
        "support",
        "公開等候時間是很重要的一步，研究顯示資訊透明能促使地方政府改善資源配置。建議同時公開城鄉差距的數據。",
        "",
    ),
    (
        "kuo.wenhsiung@demo.thinktank.tw",
        6,
        "oppose",
        "薪資基準每年檢討可能讓小型服務單位難以預估成本，建議改為每兩年檢討，並提供過渡期補助。",
        "",
    ),
    (
        "hsu.shuhui@demo.thinktank.tw",
        3,
        "amend",
        "六個月的門檻會讓術後需要短期照顧的長輩無法使用服務。",
        "長期照顧服務對象，指身心失能持續已達或預期達三個月以上，且需他人協助日常生活者。",
    ),
    (
        "emily.chen@demo.thinktank.tw",
        None,
        "support",
        "As a foreign spouse caring for my mother-in-law, I welcome this draft. Please make the service information available in English and Southeast Asian languages.",
        "",
    ),
    (
        "nguyen.thilan@demo.thinktank.tw",
        7,
        "amend",
        "資料平臺應該提供越南文、印尼文等新住民語言，很多照顧者是新住民。",
        "中央主管機關應建置長期照顧服務資料平臺，以多種語言提供民眾查詢服務單位、評鑑結果及收費資訊。",
    ),
    ("lee.chengen@demo.thinktank.tw", 5, "support", "喘息服務對失智症照顧者額外增加天數，符合國際經驗，值得肯定。", ""),
    (
        "tsai.meiling@demo.thinktank.tw",
        6,
        "support",
        "照顧服務員薪資長期偏低是人力流失的主因，設定基準是正確方向。",
        "",
    ),
    (
        "hsu.shuhui@demo.thinktank.tw",
        None,
        "neutral",
        "希望衛福部說明財源如何支應，避免地方政府因經費不足而無法落實。",
        "",
    ),
]

PLASTIC_MEMBER_COMMENTS = [
    (
        "emily.chen@demo.thinktank.tw",
        3,
        "support",
        "Good step. Many cities abroad already do this and people adapt quickly.",
        "",
    ),
    ("kuo.wenhsiung@demo.thinktank.tw", 4, "oppose", "強制折價五元對小型飲料店負擔太重，應由業者自行決定折扣。", ""),
    (
        "tsai.meiling@demo.thinktank.tw",
        2,
        "amend",
        "應將塑膠封膜也納入規範。",
        "本辦法所稱一次用塑膠製品，指塑膠製之吸管、杯、杯蓋、封膜、餐具及購物用塑膠袋。",
    ),
]

# Comments the ministry received by e-mail and on paper (imported): written for the demo.
LTC_RECEIVED = [
    (3, "oppose", "失能認定標準應該回歸專業評估，不宜用時間長短一刀切。"),
    (4, "support", "贊成每兩年評估需求，但評估結果要附上改善時程。"),
    (5, "support", "我照顧中風的父親五年，喘息服務是唯一能讓我休息的時間，謝謝政府重視。"),
    (5, "amend", "喘息服務應該可以按小時使用，不要只能整天申請。"),
    (6, "support", "居服員薪水太低，年輕人都不願意做，支持訂定薪資基準。"),
    (6, "oppose", "薪資基準應該考慮各縣市生活成本差異，不應全國一致。"),
    (7, "support", "資料平臺很實用，希望也能查到各機構的空床數。"),
    (None, "neutral", "希望主管機關多辦幾場說明會，讓鄉下的長輩也能了解新制度。"),
    (2, "neutral", "地方政府的權責應該寫得更清楚，避免互相推諉。"),
    (4, "amend", "公開資訊應包含各區居家服務的平均等候天數。"),
    (None, "support", "整體方向正確，但執行細則要盡快公布。"),
    (3, "support", "支持將預期失能者納入，讓需要的人早點得到協助。"),
    (5, "oppose", "喘息服務的問題不是天數，而是根本找不到照顧人力。"),
    (6, "neutral", "請說明薪資基準如何計算，是否包含交通時間。"),
    (7, "amend", "平臺應開放資料下載，讓民間團體也能分析。"),
    (None, "support", "I support the draft but ask for more respite care for working caregivers."),
    (5, "support", "Respite care days should not depend on where you live; please fund it nationally."),
    (4, "neutral", "建議評估報告邀請照顧者團體參與。"),
    (1, "support", "把照顧者的尊嚴寫進立法目的，是很重要的宣示。"),
    (6, "oppose", "如果補助沒有跟著提高，小型居服單位會倒閉。"),
]

# A form letter that a caregivers' network circulated; senders added their own lines.
CAMPAIGN_TEMPLATE = (
    "我是家庭照顧者。我支持修正長期照顧服務法，但第五條的喘息服務每年二十一日太少，"
    "請將上限提高到三十日，並讓照顧者可以按小時彈性使用。照顧者不是機器，也需要休息。"
)
CAMPAIGN_ADDITIONS = [
    "我照顧失智的母親已經八年。",
    "我白天上班，晚上照顧中風的先生。",
    "我一個人照顧兩位長輩。",
    "我住在花蓮，附近沒有日照中心。",
    "我的孩子是身心障礙者，我今年六十五歲。",
    "",
    "我已經三年沒有好好睡過一覺。",
    "我是新住民，照顧公公十年了。",
    "我為了照顧爸爸辭掉工作。",
    "",
    "請聽聽我們的聲音。",
    "我們家的外籍看護回國後就找不到人。",
    "",
]
CAMPAIGN_CLOSINGS = ["", "謝謝。", "懇請採納。", "請衛福部重視照顧者的處境！", "一位疲憊的照顧者"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"
GIVEN = ["淑芬", "美玲", "志明", "俊傑", "雅婷", "家豪", "怡君", "建宏", "麗華", "文雄", "秀英", "承恩", "佩珊", "宗翰"]


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
        services.add_comment(
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
    for n in range(160):
        article, stance, text = LTC_RECEIVED[n % len(LTC_RECEIVED)]
        if n >= len(LTC_RECEIVED):  # the same points again, each joined with another one by other people
            other = rng.choice([t for _a, _s, t in LTC_RECEIVED if t != text])
            text = rng.choice(["", "我認為", "個人意見："]) + text + rng.choice(["另外，", "還有，", " "]) + other
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
    columns = importing.Columns(text="text", id="id", author="name", article="article", stance="stance")
    importing.import_comments(session, ltc, [(i + 2, row) for i, row in enumerate(rows)], columns)

    received = [
        {"id": f"hc-{n}", "name": _name(rng), "article": "" if a is None else str(a), "stance": st, "text": t}
        for n, (a, st, t) in enumerate(HOMECARE_RECEIVED * 3)
    ]
    for row in received[len(HOMECARE_RECEIVED) :]:  # the same points again, by other people
        row["text"] = rng.choice(["我也認為", "同意前面意見：", "補充："]) + row["text"]
    importing.import_comments(session, homecare, [(i + 2, r) for i, r in enumerate(received)], columns)

    _respond_to_plastics(session, plastic, official("moenv"))
    # The analysis an official would run on the long-term care draft, computed here as the worker would.
    analyses.run(session, analyses.new_analysis(session, "consultation", pk(ltc), official("mohw")))
    return [ltc, plastic, homecare]


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
    importing.import_comments(session, plastic, [(i + 2, r) for i, r in enumerate(rows)], columns)
    response = responses.response_for(session, "consultation", pk(plastic), create=True)
    assert response is not None
    responses.set_summary(
        session,
        response,
        f"感謝各界提供 **{len(services.list_comments(session, 'consultation', pk(plastic), limit=1000))}** 則意見。"
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
    comments = services.list_comments(session, "consultation", pk(plastic), limit=1000)
    for title, decision, reasoning, changes, belongs in plan:
        theme = responses.add_theme(session, response, title, decision, reasoning, changes)
        members_of_theme = [pk(c) for c in comments if belongs(c)]
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
    """One proposal collecting signatures, one waiting for a moderator, one not accepted."""
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
