"""Demo agencies and members of every role, made through the services like real sign-ups."""

from __future__ import annotations

from sqlmodel import Session

from core import accounts
from core.accounts import OrgType, Role

DEMO_PASSWORD = "demo-password-2026"

AGENCIES = [
    ("mohw", "衛生福利部", "Ministry of Health and Welfare"),
    ("moenv", "環境部", "Ministry of Environment"),
    ("moda", "數位發展部", "Ministry of Digital Affairs"),
    ("hualien", "花蓮縣政府", "Hualien County Government"),
]

# (e-mail, display name, organisation, organisation type, role, agency)
MEMBERS = [
    ("admin@demo.thinktank.tw", "平台管理員", "", "", Role.admin, None),
    (
        "lin.yijun@mohw.demo.thinktank.tw",
        "林怡君（衛福部長照司）",
        "衛生福利部",
        OrgType.government,
        Role.agency_official,
        "mohw",
    ),
    (
        "chen.zhiming@moenv.demo.thinktank.tw",
        "陳志明（環境部）",
        "環境部",
        OrgType.government,
        Role.agency_official,
        "moenv",
    ),
    (
        "huang.peishan@moda.demo.thinktank.tw",
        "黃珮珊（數位部）",
        "數位發展部",
        OrgType.government,
        Role.agency_official,
        "moda",
    ),
    (
        "wang.yating@ly.demo.thinktank.tw",
        "王雅婷（立委辦公室）",
        "立法院",
        OrgType.government,
        Role.legislative_staff,
        None,
    ),
    ("chang.chiahao@demo.thinktank.tw", "張家豪", "", "", Role.moderator, None),
    ("tsai.meiling@demo.thinktank.tw", "蔡美玲", "台灣長期照顧發展協會", OrgType.ngo, Role.citizen, None),
    ("lee.chengen@demo.thinktank.tw", "李承恩", "國立臺灣大學公共衛生學院", OrgType.academic, Role.citizen, None),
    ("kuo.wenhsiung@demo.thinktank.tw", "郭文雄", "綠能科技股份有限公司", OrgType.business, Role.citizen, None),
    ("hsu.shuhui@demo.thinktank.tw", "許淑惠", "", "", Role.citizen, None),
    ("emily.chen@demo.thinktank.tw", "Emily Chen", "Taipei Residents for Clean Air", OrgType.ngo, Role.citizen, None),
    ("nguyen.thilan@demo.thinktank.tw", "阮氏蘭 Nguyễn Thị Lan", "", OrgType.individual, Role.citizen, None),
    ("chen.meihua@village.demo.thinktank.tw", "陳美華（壽豐鄉志學村長）", "", "", Role.village_chief, None),
    (
        "wu.chihwei@hualien.demo.thinktank.tw",
        "吳志偉（花蓮縣衛生局）",
        "花蓮縣政府",
        OrgType.government,
        Role.agency_official,
        "hualien",
    ),
]

# Where the demo's members say they live (their profile's township): what they write carries it.
PLACES = {
    "tsai.meiling@demo.thinktank.tw": "63000030",  # 臺北市大安區
    "lee.chengen@demo.thinktank.tw": "63000020",  # 臺北市信義區
    "kuo.wenhsiung@demo.thinktank.tw": "66000060",  # 臺中市西屯區
    "hsu.shuhui@demo.thinktank.tw": "64000120",  # 高雄市鳳山區
    "emily.chen@demo.thinktank.tw": "63000030",  # 臺北市大安區
    "nguyen.thilan@demo.thinktank.tw": "68000020",  # 桃園市中壢區
    "chen.meihua@village.demo.thinktank.tw": "10015060",  # 花蓮縣壽豐鄉
}


def seed(session: Session) -> list[tuple[str, str]]:
    """Create the demo accounts; returns (e-mail, role) for the sign-in list the demo prints."""
    agencies = {slug: accounts.create_agency(session, slug, name, name_en) for slug, name, name_en in AGENCIES}
    admin: accounts.Member | None = None
    sign_ins = []
    for email, name, org_name, org_type, role, agency in MEMBERS:
        member = accounts.sign_up(session, email, DEMO_PASSWORD, name, org_name, org_type)
        if role != Role.citizen:
            accounts.grant_role(session, member, role, granted_by=admin, agency=agencies.get(agency or ""))
        if role == Role.admin:
            admin = member
        if email in PLACES:
            accounts.set_place(session, member, PLACES[email])
        sign_ins.append((email, role.value))
    return sign_ins
