"""The stage rules, on small inputs."""

import csv

import pytest

from bills import stages
from tests.helpers import SHARED_DATA


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        ("排入院會 ", "scheduled"),
        ("交付審查", "referred"),
        ("繼續審查", "in_committee"),
        ("審查完畢", "reported"),
        ("交付協商", "negotiation"),
        ("委員會抽出逕付二讀", "second_reading"),
        ("三讀", "passed"),
        ("公布", "enacted"),
        ("退回程序", "returned"),
        ("同意撤回", "withdrawn"),
        ("不予審議", "not_considered"),
        ("函復機關", "noted"),
        ("尚未審查", "introduced"),
    ],
)
def test_ly_statuses_map_to_stages(status: str, stage: str) -> None:
    assert stages.ly_stage(status) == stage


def test_ly_bill_stage_falls_back_to_the_last_step() -> None:
    assert stages.ly_bill_stage("三讀", ["交付審查"]) == "passed"
    assert stages.ly_bill_stage(None, ["排入院會", "交付審查"]) == "referred"
    assert stages.ly_bill_stage("", []) == "introduced"


def test_every_ly_status_seen_in_the_tenth_term_has_a_stage() -> None:
    path = SHARED_DATA / "bills" / "tw-ly" / "states.csv"
    if not path.exists():
        pytest.skip("../shared/data is absent")
    with path.open(encoding="utf-8") as handle:
        names = [row["state_name"] for row in csv.DictReader(handle)]
    unmapped = [n for n in names if n.strip() and n not in ("start", "end") and stages.ly_stage(n) is None]
    assert unmapped == []


def _actions(*items: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    return list(items)


INTRO = ("10000", "Introduced in House", "IntroReferral")
REFER = ("H11100", "Referred to the Committee on Ways and Means.", "IntroReferral")
HOUSE = ("8000", "Passed/agreed to in House", "Floor")
SENATE = ("17000", "Passed/agreed to in Senate", "Floor")
PRESENT = ("28000", "Presented to President.", "Floor")
VETO = ("E30000", "Vetoed by President.", "President")
SIGN = ("E30000", "Signed by President.", "President")
LAW = ("E40000", "Became Public Law No: 114-74.", "President")


@pytest.mark.parametrize(
    ("bill_type", "actions", "stage"),
    [
        ("hr", [INTRO], "introduced"),
        ("hr", [INTRO, REFER], "referred"),
        ("s", [INTRO, ("", "Read twice and referred to the Committee on Finance.", "IntroReferral")], "referred"),
        ("hr", [INTRO, REFER, ("5000", "Reported by the Committee", "Committee")], "reported"),
        ("hr", [INTRO, HOUSE], "passed_one_chamber"),
        ("hres", [INTRO, HOUSE], "passed"),
        ("hr", [INTRO, HOUSE, SENATE], "passed"),
        ("hr", [INTRO, HOUSE, SENATE, PRESENT], "presented"),
        ("hr", [INTRO, HOUSE, SENATE, PRESENT, VETO], "vetoed"),
        ("hr", [INTRO, HOUSE, SENATE, PRESENT, VETO, ("36000", "Became Public Law over veto", "Floor")], "enacted"),
        ("hr", [INTRO, HOUSE, SENATE, PRESENT, SIGN], "enacted"),
        ("hr", [INTRO, HOUSE, SENATE, PRESENT, ("E30000", "Presidential action", "President")], "presented"),
        ("hr", [INTRO, HOUSE, SENATE, PRESENT, LAW], "enacted"),
    ],
)
def test_us_bill_stage_is_the_furthest_reached(bill_type: str, actions: list, stage: str) -> None:
    assert stages.us_bill_stage(bill_type, actions) == stage
