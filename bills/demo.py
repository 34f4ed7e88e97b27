"""Five demo bills with stage timelines, written for the demo in the shape of LY records, and a
few comments on one of them. Imported through the same writer as official data."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from bills import importing, links, manual, services, stages
from core import accounts


def _steps(start: date, statuses: list[tuple[int, str, str]]) -> list[importing.ActionRecord]:
    return [
        importing.ActionRecord(start + timedelta(days=d), s, stages.ly_stage(s) or "", body) for d, s, body in statuses
    ]


def seed(session: Session) -> None:
    start = date.today() - timedelta(days=200)
    ltc = importing.BillRecord(
        source="tw-ly",
        number="DEMO-1130001",
        title="「長期照顧服務法第十三條條文修正草案」，請審議案。",
        bill_type="法律案",
        term="11",
        session="2",
        sponsors=["林靜儀"],
        cosponsors=["王正旭", "吳玉琴", "陳瑩"],
        committees=["社會福利及衛生環境委員會"],
        status_raw="委員會審查",
        summary="擴大家庭照顧者喘息服務並明定照顧服務員薪資基準。",
        actions=_steps(
            start, [(0, "排入院會", "院會"), (4, "交付審查", "院會"), (60, "委員會審查", "社會福利及衛生環境委員會")]
        ),
        articles=[
            importing.ArticleRecord(
                1,
                "第十三條",
                "第十三條　家庭照顧者得申請喘息服務，每年以三十日為上限。",
                "第十三條　家庭照顧者得申請喘息服務，每年以二十一日為上限。",
                "提高喘息服務日數，減輕照顧者負擔。",
            ),
            importing.ArticleRecord(
                2,
                "第十三條之一",
                "第十三條之一　照顧服務員之薪資不得低於中央主管機關公告之基準。",
                "",
                "本條新增。明定薪資基準，穩定照顧人力。",
            ),
        ],
    )
    others = [
        importing.BillRecord(
            source="tw-ly",
            number="DEMO-1130002",
            title="「空氣污染防制法部分條文修正草案」，請審議案。",
            bill_type="法律案",
            term="11",
            sponsors=["行政院"],
            committees=["社會福利及衛生環境委員會"],
            status_raw="三讀",
            actions=_steps(
                start,
                [
                    (0, "排入院會", "院會"),
                    (3, "交付審查", "院會"),
                    (40, "審查完畢", "社會福利及衛生環境委員會"),
                    (70, "交付協商", "院會"),
                    (120, "三讀", "院會"),
                ],
            ),
        ),
        importing.BillRecord(
            source="tw-ly",
            number="DEMO-1130003",
            title="「數位身分識別法草案」，請審議案。",
            bill_type="法律案",
            term="11",
            sponsors=["行政院"],
            committees=["交通委員會"],
            status_raw="交付協商",
            actions=_steps(
                start,
                [
                    (10, "排入院會", "院會"),
                    (14, "交付審查", "院會"),
                    (90, "審查完畢", "交通委員會"),
                    (130, "交付協商", "院會"),
                ],
            ),
        ),
        importing.BillRecord(
            source="tw-ly",
            number="DEMO-1130004",
            title="「公寓大廈管理條例第二十七條條文修正草案」，請審議案。",
            bill_type="法律案",
            term="11",
            sponsors=["段宜康"],
            committees=["內政委員會"],
            status_raw="退回程序委員會",
            actions=_steps(start, [(20, "退回程序委員會", "院會")]),
        ),
        importing.BillRecord(
            source="tw-ly",
            number="DEMO-1130005",
            title="「勞動基準法第三十條條文修正草案」，請審議案。",
            bill_type="法律案",
            term="11",
            sponsors=["洪申翰"],
            committees=["社會福利及衛生環境委員會"],
            status_raw="公布",
            actions=_steps(
                start, [(0, "排入院會", "院會"), (5, "逕付二讀", "院會"), (30, "三讀", "院會"), (45, "公布", "總統府")]
            ),
        ),
    ]
    for record in [ltc, *others]:
        record.stage = stages.ly_bill_stage(record.status_raw, [a.status_raw for a in record.actions])
        record.introduced_on = record.actions[0].on
        importing.upsert(session, record)
    session.commit()
    bill = services.list_bills(session, source="tw-ly", sponsor="林靜儀")[0]
    members = {m.email: m for m in accounts.list_members(session, limit=1000)}
    services.comment_on_bill(
        session,
        bill,
        members["tsai.meiling@demo.thinktank.tw"],
        "support",
        "三十日仍不足以因應重度失能者的照顧需求，但是一大進步。",
        1,
        "",
    )
    services.comment_on_bill(
        session,
        bill,
        members["kuo.wenhsiung@demo.thinktank.tw"],
        "amend",
        "薪資基準應分區訂定。",
        2,
        "第十三條之一　照顧服務員之薪資不得低於中央主管機關依地區公告之基準。",
    )
    services.comment_on_bill(
        session,
        bill,
        members["emily.chen@demo.thinktank.tw"],
        "support",
        "Strongly support wage standards for care workers.",
        None,
        "",
    )
    staff = members["wang.yating@ly.demo.thinktank.tw"]
    links.link(session, bill, "ltc-act-amendment", staff, {accounts.Role.legislative_staff})
    ordinance = manual.create_bill(
        session,
        manual.ManualBill(
            title="臺北市高齡者交通安全自治條例草案",
            bill_type="自治條例",
            sponsors="臺北市政府",
            committees="交通委員會",
            summary="A city ordinance entered by hand: its steps are recorded by staff.",
            text="第一條 為保障高齡者之交通安全，特制定本自治條例。\n\n第二條 本自治條例之主管機關為臺北市政府交通局。\n\n第三條 主管機關應於高齡者常經之路口延長行人綠燈秒數。",
            on=(date.today() - timedelta(days=40)).isoformat(),
        ),
    )
    manual.record_step(
        session, ordinance, date.today() - timedelta(days=20), "in_committee", "交通委員會", "一讀後交付審查"
    )
