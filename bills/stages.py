"""The one vocabulary of bill stages, shared by every source, and the rules that map official
statuses and actions onto it (Taiwan Legislative Yuan 狀態 values, US Congress action codes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from core.errors import N_


@dataclass(frozen=True)
class Stage:
    key: str
    label: str  # msgid
    explanation: str  # msgid
    closing: bool = False  # the bill's path ends here without becoming law


STAGES = [
    Stage("introduced", N_("Introduced"), N_("The bill has been filed and awaits scheduling.")),
    Stage("scheduled", N_("Scheduled"), N_("The bill is on the agenda of a plenary sitting.")),
    Stage("referred", N_("Referred to committee"), N_("The plenary has sent the bill to a committee for review.")),
    Stage("in_committee", N_("In committee"), N_("A committee is reviewing the bill.")),
    Stage("reported", N_("Reported"), N_("The committee has finished its review and reported back.")),
    Stage("negotiation", N_("Party negotiation"), N_("The bill goes to negotiation between the party caucuses.")),
    Stage("second_reading", N_("Second reading"), N_("The bill is read article by article in the plenary.")),
    Stage(
        "passed_one_chamber", N_("Passed one chamber"), N_("One chamber has passed the bill; the other has not yet.")
    ),
    Stage("passed", N_("Passed"), N_("The legislature has passed the bill (third reading, or both chambers).")),
    Stage("presented", N_("Presented"), N_("The passed bill has been sent to the head of state.")),
    Stage("enacted", N_("Enacted"), N_("The bill has been promulgated or signed and is law.")),
    Stage("vetoed", N_("Vetoed"), N_("The head of state has vetoed the bill.")),
    Stage("returned", N_("Returned"), N_("Sent back to the procedure committee.")),
    Stage("withdrawn", N_("Withdrawn"), N_("The sponsors have withdrawn the bill."), closing=True),
    Stage(
        "not_considered", N_("Not considered"), N_("The legislature decided not to consider the bill."), closing=True
    ),
    Stage(
        "noted",
        N_("Noted"),
        N_("Sent for reference or answered by letter; no legislative action follows."),
        closing=True,
    ),
]
BY_KEY = {stage.key: stage for stage in STAGES}
ORDER = {stage.key: position for position, stage in enumerate(STAGES)}

# Taiwan Legislative Yuan 狀態 -> stage. Stray spaces are trimmed first ('排入院會 ' occurs).
LY_STATUS = {
    "排入院會": "scheduled",
    "交付審查": "referred",
    "委員會審查": "in_committee",
    "繼續審查": "in_committee",
    "委員會發文": "reported",
    "審查完畢": "reported",
    "交付協商": "negotiation",
    "逕付二讀": "second_reading",
    "委員會抽出逕付二讀": "second_reading",
    "三讀": "passed",
    "公布": "enacted",
    "退回程序委員會": "returned",
    "退回程序": "returned",
    "撤案": "withdrawn",
    "同意撤回": "withdrawn",
    "不予審議": "not_considered",
    "交付查照": "noted",
    "函復機關": "noted",
    "尚未審查": "introduced",
}


def ly_stage(status: str) -> str | None:
    return LY_STATUS.get(status.strip())


def ly_bill_stage(bill_status: str | None, step_statuses: list[str]) -> str:
    """The mapping of 議案狀態, or of the last step of 議案流程 when 議案狀態 is missing."""
    for status in ([bill_status] if bill_status and bill_status.strip() else []) + list(reversed(step_statuses)):
        stage = ly_stage(status)
        if stage:
            return stage
    return "introduced"


# --- US Congress (BILLSTATUS) ------------------------------------------------------------------------

US_REFERRED = {"2000", "11000", "H11100", "H11200"}
US_REPORTED = {"5000", "14000"}
US_HOUSE_PASSED, US_SENATE_PASSED = "8000", "17000"
US_PRESENTED = {"28000", "E20000"}
US_VETOED = {"31000"}
US_ENACTED = {"36000", "E40000"}


def us_action_stage(code: str, text: str, action_type: str) -> str | None:
    """The stage one action shows (E30000 is both signing and vetoing, so it decides nothing)."""
    code, text = code.strip(), text.strip()
    if code in US_ENACTED or text.startswith(("Became Public Law", "Signed by President")):
        return "enacted"
    if code in US_VETOED or text.startswith("Vetoed by President"):
        return "vetoed"
    if code in US_PRESENTED:
        return "presented"
    if code in (US_HOUSE_PASSED, US_SENATE_PASSED):
        return "passed_one_chamber"
    if code in US_REPORTED:
        return "reported"
    if code in US_REFERRED or (action_type == "IntroReferral" and "referred" in text.lower()):
        return "referred"
    return None


US_PROGRESS = ["introduced", "referred", "reported", "passed_one_chamber", "passed", "presented", "vetoed", "enacted"]


def us_bill_stage(bill_type: str, actions: Iterable[tuple[str, str, str]]) -> str:
    """The furthest stage reached, from (code, text, type) actions in date order; a veto stands
    unless an enactment follows it (an override)."""
    reached = {"introduced"}
    chambers: set[str] = set()
    last_veto_or_enactment = None
    for code, text, action_type in actions:
        stage = us_action_stage(code, text, action_type)
        if stage:
            reached.add(stage)
        if code.strip() == US_HOUSE_PASSED:
            chambers.add("house")
        if code.strip() == US_SENATE_PASSED:
            chambers.add("senate")
        if stage in ("vetoed", "enacted"):
            last_veto_or_enactment = stage
    simple_resolution = bill_type.lower() in ("hres", "sres")
    if len(chambers) == 2 or (simple_resolution and chambers):
        reached.add("passed")
    if last_veto_or_enactment:
        return last_veto_or_enactment
    return max(reached, key=US_PROGRESS.index)
