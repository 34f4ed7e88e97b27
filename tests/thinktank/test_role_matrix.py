"""Who may do what: every state-changing route of the app, from its own route table, tried by
every kind of member, against a table that says who may. From the same list: every such route
refuses a request without a CSRF token or with another session's, and a suspended member's.

A route nobody lists fails the test: whoever adds one says here who may use it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.testclient import TestClient

from bills import manual
from bills.models import Bill
from core import accounts, notify, passwords, places, sessions
from core.db import pk, utcnow
from deliberation import discussions, polls
from deliberation import services as deliberation
from deliberation.models import Conversation, Post, Statement
from deliberation.poll_models import Poll
from feedback import analyses, comments, responses, review
from feedback.models import Analysis, AnalysisTheme, Comment
from participation import proposals, services
from participation.models import Consultation, Proposal
from tests.deliberation.budget_factories import make_budget
from tests.helpers import PASSWORD, csrf_from, post, sign_in
from tests.participation.factories import consultation
from thinktank.app import all_routes

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

ROLES = ("anonymous", "citizen", "other_official", "official", "legislative", "village_chief", "moderator", "admin")
EVERYONE = frozenset(ROLES)
MEMBERS = EVERYONE - {"anonymous"}
OFFICIAL = frozenset({"official", "admin"})  # those who answer a consultation: its agency's officials
LEGISLATIVE = frozenset({"legislative", "admin"})  # those who answer a bill
MODERATORS = frozenset({"moderator", "admin"})
VILLAGE_CHIEFS = frozenset({"village_chief", "admin"})  # who type in comments collected on paper
AUTHOR = frozenset({"citizen"})  # the fixtures' comment and post are the citizen's own

# Route name -> who may use it. "official" is an official of the agency that owns the consultation,
# the proposal and the conversation; "other_official" one of another agency.
ALLOWED: dict[str, frozenset[str]] = {
    "core:signup": EVERYONE,
    "core:signin": EVERYONE,
    "core:signout": EVERYONE,
    "core:password_forgot": EVERYONE,
    "core:password_reset": EVERYONE,  # the e-mailed token is the authority
    "core:profile": MEMBERS,
    "core:export": MEMBERS,
    "core:delete_account": MEMBERS,
    "core:email_settings": MEMBERS,
    "core:language": EVERYONE,
    "core:signup_confirm": EVERYONE,  # the e-mailed token is the authority
    "core:change_password": MEMBERS,
    "core:verify_email_request": MEMBERS,
    "core:verify_email": EVERYONE,  # the e-mailed token is the authority
    "core:end_session": MEMBERS,  # one's own other session; anyone else's is a 404
    "core:end_other_sessions": MEMBERS,
    "core:agencies": frozenset({"admin"}),
    "core:admin_member_roles": frozenset({"admin"}),
    "core:follow": MEMBERS,
    "core:unsubscribe": EVERYONE,  # the e-mailed token is the authority
    "core:flag": MEMBERS,
    "core:moderation_content": MODERATORS,
    "core:moderation_member": MODERATORS,
    "feedback:comment_edit": AUTHOR,
    "feedback:comment_support": MEMBERS,  # anyone's but one's own: the comment tried is someone else's
    # A consultation is created in one's own agency: an admin, attached to none, cannot.
    "participation:new": frozenset({"official", "other_official"}),
    "participation:edit": OFFICIAL,
    "participation:publish": OFFICIAL,
    "participation:import": OFFICIAL,
    "participation:comment": MEMBERS,
    "participation:comment_offline": VILLAGE_CHIEFS,
    "participation:response_edit": OFFICIAL,
    "participation:theme_save": OFFICIAL,
    "participation:assign": OFFICIAL,
    "participation:response_publish": OFFICIAL,
    "participation:analysis_run": OFFICIAL,
    "participation:analysis_edit": OFFICIAL,
    "participation:analysis_publish": OFFICIAL,
    "participation:proposal_new": MEMBERS,
    "participation:proposal_sign": MEMBERS,
    "participation:proposal_withdraw": MEMBERS,  # one's own signature: each role has signed first
    "participation:proposal_review": MODERATORS,
    "participation:proposal_answer": OFFICIAL,
    "bills:comment": MEMBERS,
    "bills:comment_offline": VILLAGE_CHIEFS,
    "bills:response_edit": LEGISLATIVE,
    "bills:theme_save": LEGISLATIVE,
    "bills:assign": LEGISLATIVE,
    "bills:response_publish": LEGISLATIVE,
    "bills:analysis_run": LEGISLATIVE,
    "bills:analysis_edit": LEGISLATIVE,
    "bills:analysis_publish": LEGISLATIVE,
    "bills:new": LEGISLATIVE,
    "bills:step_add": LEGISLATIVE,
    "bills:link": LEGISLATIVE | {"official"},  # officials link their own agency's consultations
    "bills:unlink": LEGISLATIVE | {"official"},
    "deliberation:new": frozenset({"official", "other_official", "moderator", "admin"}),
    "deliberation:vote": MEMBERS,
    "deliberation:statement_add": MEMBERS,
    "deliberation:moderate": frozenset({"official", "moderator", "admin"}),  # the conversation's hosts
    "deliberation:discussion_new": MEMBERS,
    "deliberation:reply": MEMBERS,
    "deliberation:post_edit": AUTHOR,
    "deliberation:post_delete": AUTHOR,
    "deliberation:post_react": MEMBERS,
    # A standalone poll is created in one's own agency (an admin may too); on a bill, by its staff.
    "deliberation:poll_new": frozenset({"official", "other_official", "admin"}),
    "deliberation:poll_vote": MEMBERS,
    "deliberation:poll_codes": OFFICIAL,  # the poll's agency
    "deliberation:poll_kiosk": EVERYONE,  # the paper code is the authority
    "deliberation:poll_publish": OFFICIAL,
    # A budget is created like a standalone poll; its projects are managed like the poll.
    "deliberation:budget_new": frozenset({"official", "other_official", "admin"}),
    "deliberation:budget_projects": OFFICIAL,
    "deliberation:budget_import": OFFICIAL,
}


# A draft exists only for those who manage it: anyone else who may reach the route is told there
# is nothing there (404), rather than that it is not theirs.
HIDDEN_FROM_OTHERS = {"participation:publish"}


def _walk(routes: list[BaseRoute]) -> Iterator[Route]:
    for route in routes:
        if isinstance(route, Mount):
            yield from _walk(list(route.routes))
        elif isinstance(route, Route):
            yield route


def state_changing_routes(routes: list[BaseRoute] | None = None) -> dict[str, Route]:
    """Every route that accepts POST, PUT, PATCH or DELETE, by name, Mounts included."""
    return {r.name: r for r in _walk(routes if routes is not None else all_routes()) if (r.methods or set()) & UNSAFE}


def test_the_table_lists_every_state_changing_route_and_no_other() -> None:
    found = set(state_changing_routes())
    assert found - ALLOWED.keys() == set(), "new state-changing routes: say in ALLOWED who may use them"
    assert ALLOWED.keys() - found == set(), "ALLOWED lists routes the app no longer has"


def test_the_walk_finds_routes_inside_mounts() -> None:
    inner = Route("/x", lambda request: None, methods=["POST"], name="inner:x")
    assert list(state_changing_routes([Mount("/m", routes=[Mount("/n", routes=[inner])])])) == ["inner:x"]


# --- the world every request is tried in -----------------------------------------------------------

HASH = passwords.hash_password(PASSWORD)  # once: creating members is not what these tests measure
DRAFT = "草案說明。\n\n第一條 本辦法依法訂定之。\n\n第二條 喘息服務每年以二十一日為上限。\n"


@dataclass
class World:
    """A consultation, a bill, proposals, a conversation, a discussion and members of every role,
    each made through the services on first use."""

    db: Session
    app: Starlette

    def member(self, email: str, name: str, *roles: str, agency: accounts.Agency | None = None) -> accounts.Member:
        member = accounts.Member(email=email, password_hash=HASH, display_name=name)
        self.db.add(member)
        self.db.commit()
        for role in roles:
            accounts.grant_role(self.db, member, role, agency=agency)
        return member

    @cached_property
    def agency(self) -> accounts.Agency:
        return accounts.create_agency(self.db, "mohw", "衛生福利部")

    @cached_property
    def other_agency(self) -> accounts.Agency:
        return accounts.create_agency(self.db, "moi", "內政部")

    @cached_property
    def members(self) -> dict[str, accounts.Member]:
        return {
            "citizen": self.member("citizen@example.tw", "林美華"),
            "other_official": self.member(
                "other@moi.gov.tw", "內政部承辦", "agency_official", agency=self.other_agency
            ),
            "official": self.member("official@mohw.gov.tw", "衛福部承辦", "agency_official", agency=self.agency),
            "legislative": self.member("staff@ly.gov.tw", "國會助理", "legislative_staff"),
            "village_chief": self.member("chief@village.example.tw", "里長", "village_chief"),
            "moderator": self.member("mod@example.tw", "版主", "moderator"),
            "admin": self.member("admin@example.tw", "管理員", "admin"),
        }

    @cached_property
    def someone(self) -> accounts.Member:
        """A citizen others act on: flagged, warned, granted a role, signed in as."""
        return self.member("someone@example.tw", "路人")

    def consultation(self, phase: str, slug: str) -> Consultation:
        # The factory finds the agency made here, so it adds no official of its own.
        return consultation(self.db, phase=phase, slug=slug, agency_slug=self.agency.slug, text=DRAFT)

    @cached_property
    def open_consultation(self) -> Consultation:
        return self.consultation("open", "ltc")

    @cached_property
    def draft(self) -> Consultation:
        return self.consultation("draft", "draft")

    def answerable(self, kind: str, role: str) -> tuple[str, int]:
        """(path, id) of a subject of `kind` that is commented on and has a theme in its response,
        closed if a consultation: ready to be answered. One for each role, so that one role's
        answer does not stand in another's way."""
        if kind == "consultation":
            subject: Consultation | Bill = self.consultation("closed", f"closed-{role.replace('_', '-')}")
            path = f"/c/{subject.slug}"
        else:
            subject = self.new_bill()
            path = f"/bills/{subject.id}"
        self.commented(kind, pk(subject))
        return path, pk(subject)

    def new_bill(self) -> Bill:
        return manual.create_bill(self.db, manual.ManualBill(title="長照法修正草案", text=DRAFT, on="2026-10-01"))

    @cached_property
    def places(self) -> bool:
        places.load_places(self.db)
        return True

    @cached_property
    def bill(self) -> Bill:
        return self.new_bill()

    def commented(self, kind: str, subject_id: int) -> None:
        comments.add_comment(self.db, kind, subject_id, self.someone, "support", "支持", None, "", set())
        response = responses.response_for(self.db, kind, subject_id, create=True)
        assert response is not None
        responses.add_theme(self.db, response, title="喘息服務")

    def analysed(self, kind: str, subject_id: int) -> Analysis:
        """A finished analysis of the subject's comments as they are, as the job leaves one (the
        job itself is the analysis tests' business, and slow)."""
        found = analyses.subject_comments(self.db, kind, subject_id)
        analysis = Analysis(
            subject_kind=kind,
            subject_id=subject_id,
            status="done",
            input_hash=analyses.input_hash(found, None),
            comments=len(found),
            finished_at=utcnow(),
        )
        self.db.add(analysis)
        self.db.commit()
        self.db.add(AnalysisTheme(analysis_id=pk(analysis), label="喘息服務"))
        self.db.commit()
        return analysis

    def theme_of(self, analysis: Analysis) -> int:
        return pk(review.themes_of(self.db, analysis)[0])

    @cached_property
    def comment(self) -> Comment:
        return services.comment_on_consultation(
            self.db, self.open_consultation, self.members["citizen"], "oppose", "原意見"
        )

    @cached_property
    def others_comment(self) -> Comment:
        """A comment by someone none of the roles is: each may support it."""
        return services.comment_on_consultation(self.db, self.open_consultation, self.someone, "support", "附議")

    @cached_property
    def post(self) -> Post:
        discussion = discussions.start(self.db, self.members["citizen"], "喘息服務", "原貼文")
        return self.db.exec(select(Post).where(Post.discussion_id == discussion.id)).one()

    def proposal(self, accepted: bool) -> Proposal:
        proposal = proposals.submit(self.db, self.someone, self.agency, "增加喘息服務", "每年三十日")
        if accepted:
            proposals.review(self.db, proposal, self.app.state.settings, True, "")
        return proposal

    @cached_property
    def conversation(self) -> Conversation:
        moderator = self.members["moderator"]
        return deliberation.create_conversation(self.db, moderator, "長照", "", ["第一則", "第二則"], self.agency)

    def accepted_statement(self) -> Statement:
        return deliberation.statements_of(self.db, self.conversation, "accepted")[0]

    def pending_statement(self, role: str) -> Statement:
        roles = accounts.roles_of(self.db, self.someone)
        return deliberation.add_statement(self.db, self.conversation, self.someone, roles, f"夜間服務（{role}）")


# --- one request that the table's roles may make, for each route -----------------------------------


@dataclass
class Attempt:
    path: str
    data: dict[str, Any]
    files: dict[str, Any] | None = None


def _consultation_form(slug: str) -> dict[str, str]:
    opens, closes = utcnow() - timedelta(days=1), utcnow() + timedelta(days=10)
    return {
        "title": "長照辦法",
        "summary": "摘要",
        "background": "背景",
        "text": DRAFT,
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "tags": "",
        "contact": "",
        "slug": slug,
        "note": "",
    }


def _answering(kind: str) -> dict[str, Callable[[World, str], Attempt]]:
    """The response and analysis routes, the same for a consultation and a bill."""
    names = "participation" if kind == "consultation" else "bills"

    def response(action: str, data: Callable[[World, int], dict[str, Any]]) -> Callable[[World, str], Attempt]:
        def attempt(w: World, role: str) -> Attempt:
            path, subject_id = w.answerable(kind, role)
            return Attempt(f"{path}/response/{action}", data(w, subject_id))

        return attempt

    def analysis(action: str, data: Callable[[World, Analysis], dict[str, Any]]) -> Callable[[World, str], Attempt]:
        def attempt(w: World, role: str) -> Attempt:
            path, subject_id = w.answerable(kind, role)
            # Unchanged comments since this finished run: a new run reuses it, and no job runs.
            return Attempt(f"{path}/analysis/{action}", data(w, w.analysed(kind, subject_id)))

        return attempt

    def first_comment(w: World, subject_id: int) -> str:
        return str(analyses.subject_comments(w.db, kind, subject_id)[0].id)

    return {
        f"{names}:response_edit": response("edit", lambda w, _s: {"summary": "整體回應"}),
        f"{names}:theme_save": response("themes", lambda w, _s: {"theme": "", "title": "薪資", "decision": "adopted"}),
        f"{names}:assign": response("assign", lambda w, s: {"action": "assign", "comment": first_comment(w, s)}),
        f"{names}:response_publish": response("publish", lambda w, _s: {}),
        f"{names}:analysis_run": analysis("run", lambda w, _a: {"k": ""}),
        f"{names}:analysis_edit": analysis(
            "themes", lambda w, a: {"action": "rename", "theme": w.theme_of(a), "label": "改名"}
        ),
        f"{names}:analysis_publish": analysis("publish", lambda w, _a: {}),
    }


def _comment_form(text: str) -> dict[str, str]:
    return {"article": "", "stance": "support", "text": text, "amendment": ""}


def _offline(w: World, path: str) -> Attempt:
    assert w.places
    return Attempt(f"{path}/comments/offline", {**_comment_form("紙本意見"), "resident_name": "", "postal_code": "106"})


ATTEMPTS: dict[str, Callable[[World, str], Attempt]] = {
    "core:signup": lambda w, role: Attempt(
        "/signup", {"email": f"new-{role}@example.tw", "password": PASSWORD, "display_name": "新會員"}
    ),
    "core:signin": lambda w, _r: Attempt("/signin", {"email": w.someone.email, "password": PASSWORD}),
    "core:signout": lambda w, _r: Attempt("/signout", {}),
    "core:password_forgot": lambda w, _r: Attempt("/password/forgot", {"email": w.someone.email}),
    "core:password_reset": lambda w, _r: Attempt(
        f"/password/reset/{_reset_token(w)}", {"password": "a new password 2026"}
    ),
    "core:profile": lambda w, _r: Attempt("/profile", {"display_name": "新名字", "org_name": "", "org_type": ""}),
    "core:export": lambda w, _r: Attempt("/profile/export", {}),
    "core:delete_account": lambda w, _r: Attempt("/profile/delete", {"password": PASSWORD}),
    "core:email_settings": lambda w, _r: Attempt("/profile/email", {"email_frequency": "daily"}),
    "core:language": lambda w, _r: Attempt("/language", {"locale": "en", "next": "/"}),
    "core:signup_confirm": lambda w, role: Attempt(f"/signup/confirm/{_sign_up_token(w, role)}", {}),
    "core:change_password": lambda w, _r: Attempt(
        "/profile/password", {"current_password": PASSWORD, "new_password": PASSWORD}
    ),
    "core:verify_email_request": lambda w, _r: Attempt("/profile/verify", {}),
    "core:verify_email": lambda w, _r: Attempt(
        f"/email/verify/{accounts.start_email_verification(w.db, w.someone)}", {}
    ),
    "core:end_session": lambda w, role: Attempt(f"/profile/sessions/{_other_session(w, role)}/end", {}),
    "core:end_other_sessions": lambda w, _r: Attempt("/profile/sessions/others/end", {}),
    "core:agencies": lambda w, _r: Attempt("/agencies", {"slug": "moe", "name": "教育部", "name_en": ""}),
    "core:admin_member_roles": lambda w, _r: Attempt(
        f"/admin/members/{w.someone.id}/roles", {"role": "moderator", "action": "grant"}
    ),
    "core:follow": lambda w, _r: Attempt("/follow", {"kind": "consultation", "id": str(w.open_consultation.id)}),
    "core:unsubscribe": lambda w, _r: Attempt(
        f"/unsubscribe/{notify.unsubscribe_token(w.app.state.settings.secret_key, pk(w.someone))}", {}
    ),
    "core:flag": lambda w, _r: Attempt("/flag", {"kind": "comment", "id": str(w.comment.id), "reason": "spam"}),
    "core:moderation_content": lambda w, _r: Attempt(
        "/moderation/content", {"kind": "comment", "id": str(w.comment.id), "action": "hide", "reason": "廣告"}
    ),
    "core:moderation_member": lambda w, _r: Attempt(
        f"/moderation/members/{w.someone.id}", {"action": "warn", "reason": "請注意用語"}
    ),
    "feedback:comment_edit": lambda w, _r: Attempt(
        f"/comments/{w.comment.id}/edit", {"stance": "oppose", "text": "改過的意見", "amendment": ""}
    ),
    "feedback:comment_support": lambda w, _r: Attempt(f"/comments/{w.others_comment.id}/support", {}),
    "participation:new": lambda w, role: Attempt("/c/new", _consultation_form(f"new-{role.replace('_', '-')}")),
    "participation:edit": lambda w, _r: Attempt(
        f"/c/{w.open_consultation.slug}/edit", _consultation_form(w.open_consultation.slug)
    ),
    "participation:publish": lambda w, _r: Attempt(f"/c/{w.draft.slug}/publish", {}),
    "participation:import": lambda w, _r: Attempt(
        f"/c/{w.open_consultation.slug}/import",
        {"text_column": "text"},
        {"file": ("mail.csv", io.BytesIO("text\n來信意見\n".encode()), "text/csv")},
    ),
    "participation:comment": lambda w, _r: Attempt(f"/c/{w.open_consultation.slug}/comments", _comment_form("支持")),
    "participation:comment_offline": lambda w, _r: _offline(w, f"/c/{w.open_consultation.slug}"),
    **_answering("consultation"),
    "participation:proposal_new": lambda w, _r: Attempt(
        "/proposals/new", {"agency": w.agency.slug, "title": "增加據點", "body": "偏鄉據點不足"}
    ),
    "participation:proposal_sign": lambda w, _r: Attempt(f"/proposals/{w.proposal(accepted=True).id}/sign", {}),
    "participation:proposal_withdraw": lambda w, role: Attempt(f"/proposals/{_signed(w, role).id}/withdraw", {}),
    "participation:proposal_review": lambda w, _r: Attempt(
        f"/proposals/{w.proposal(accepted=False).id}/review", {"decision": "accept", "note": ""}
    ),
    "participation:proposal_answer": lambda w, _r: Attempt(
        f"/proposals/{w.proposal(accepted=True).id}/answer", {"action": "respond", "response": "本部將研議"}
    ),
    "bills:comment": lambda w, _r: Attempt(f"/bills/{w.bill.id}/comments", _comment_form("支持")),
    "bills:comment_offline": lambda w, _r: _offline(w, f"/bills/{w.bill.id}"),
    **_answering("bill"),
    "bills:new": lambda w, _r: Attempt(
        "/bills/new", {"title": "高齡交通安全條例草案", "text": DRAFT, "stage": "introduced", "on": "2026-10-01"}
    ),
    "bills:step_add": lambda w, _r: Attempt(
        f"/bills/{w.bill.id}/steps", {"on": "2026-10-08", "stage": "in_committee", "body": "社福委員會", "text": ""}
    ),
    "bills:link": lambda w, _r: Attempt(
        f"/bills/{w.bill.id}/consultations", {"consultation": w.open_consultation.slug}
    ),
    "bills:unlink": lambda w, _r: Attempt(f"/bills/{w.bill.id}/consultations/{w.open_consultation.slug}/unlink", {}),
    "deliberation:new": lambda w, _r: Attempt(
        "/conversations/new", {"topic": "交通", "description": "", "seeds": "一\n二"}
    ),
    "deliberation:vote": lambda w, _r: Attempt(
        f"/conversations/{w.conversation.slug}/vote", {"statement": str(w.accepted_statement().id), "vote": "agree"}
    ),
    "deliberation:statement_add": lambda w, role: Attempt(
        f"/conversations/{w.conversation.slug}/statements", {"text": f"應該增加夜間服務（{role}）"}
    ),
    "deliberation:moderate": lambda w, role: Attempt(
        f"/conversations/{w.conversation.slug}/moderate",
        {"statement": str(w.pending_statement(role).id), "decision": "accept"},
    ),
    "deliberation:discussion_new": lambda w, _r: Attempt("/discussions/new", {"title": "喘息服務", "body": "太少"}),
    "deliberation:reply": lambda w, _r: Attempt(f"/discussions/{w.post.discussion_id}/posts", {"body": "同意"}),
    "deliberation:post_edit": lambda w, _r: Attempt(f"/posts/{w.post.id}/edit", {"body": "改過的貼文"}),
    "deliberation:post_delete": lambda w, _r: Attempt(f"/posts/{w.post.id}/delete", {}),
    "deliberation:post_react": lambda w, _r: Attempt(f"/posts/{w.post.id}/react", {"kind": "helpful"}),
    "deliberation:poll_new": lambda w, _r: Attempt("/polls/new", _poll_form()),
    "deliberation:poll_vote": lambda w, _r: Attempt(f"/polls/{_poll(w).slug}/vote", {"choice": "1"}),
    "deliberation:poll_codes": lambda w, _r: Attempt(f"/polls/{_poll(w).slug}/codes", {"count": "2"}),
    "deliberation:poll_kiosk": lambda w, _r: Attempt(
        f"/polls/{_poll(w).slug}/in-person", {"code": _paper_code(w), "choice": "2"}
    ),
    "deliberation:poll_publish": lambda w, _r: Attempt(f"/polls/{_poll(w, closed=True).slug}/publish", {}),
    "deliberation:budget_new": lambda w, _r: Attempt("/budgets/new", _budget_form()),
    "deliberation:budget_projects": lambda w, role: Attempt(
        f"/budgets/{_budget(w).slug}/projects", {"title": f"照顧者培訓（{role}）", "cost": "20"}
    ),
    "deliberation:budget_import": lambda w, role: Attempt(
        f"/budgets/{_budget(w).slug}/import", _proposal_to_import(w, role)
    ),
}


def _budget(w: World) -> Poll:
    """The agency's budget, not open yet (so projects may be added), made once per world."""
    if "_budget" not in w.__dict__:
        w.__dict__["_budget"] = make_budget(w.db, w.members["official"], upcoming=True)
    return w.__dict__["_budget"]


def _budget_form() -> dict[str, str]:
    return {**_poll_form(), "title": "社區預算", "total": "100", "method": "budget_knapsack", "rule": "greedy"}


def _proposal_to_import(w: World, role: str) -> dict[str, str]:
    """A new accepted proposal of the agency for each try, with the cost to import it at."""
    proposal = proposals.submit(w.db, w.someone, w.agency, f"增加喘息服務（{role}）", "每年三十日")
    proposals.review(w.db, proposal, w.app.state.settings, True, "")
    return {"proposal": str(proposal.id), f"cost-{proposal.id}": "25"}


def _poll(w: World, closed: bool = False) -> Poll:
    """The agency's open poll, or one that has closed, made once per world."""
    key = "_closed_poll" if closed else "_open_poll"
    if key not in w.__dict__:
        now = utcnow()
        w.__dict__[key] = polls.create_poll(
            w.db,
            w.members["official"],
            question="據點設在哪裡？",
            description="",
            options=[("公園旁", ""), ("圖書館", "")],
            method="single",
            params={},
            opens_at=now - timedelta(days=2),
            closes_at=now - timedelta(minutes=1) if closed else now + timedelta(days=7),
        )
    return w.__dict__[key]


def _poll_form() -> dict[str, str]:
    opens, closes = utcnow() + timedelta(hours=8), utcnow() + timedelta(days=3)
    return {
        "question": "交通",
        "options": "一\n二",
        "projects": "一 | 30\n二 | 40",
        "method": "single",
        "opens_at": opens.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "eligibility": "members",
    }


def _paper_code(w: World) -> str:
    return polls.issue_codes(w.db, _poll(w), 1)[0]


def _sign_up_token(w: World, role: str) -> str:
    _email, token = accounts.request_sign_up(w.db, f"joining-{role}@example.tw", PASSWORD, "新會員")
    assert token is not None
    return token


def _signed(w: World, role: str) -> Proposal:
    """An accepted proposal that the member playing `role` has signed (anonymous has no signature)."""
    proposal = w.proposal(accepted=True)
    if role != "anonymous":
        proposals.sign(w.db, proposal, w.members[role], w.app.state.settings)
    return proposal


def _other_session(w: World, role: str) -> int:
    """The id of another session of the member playing `role` (for anonymous, the citizen's)."""
    member = w.members["citizen" if role == "anonymous" else role]
    sessions.start(w.db, pk(member), "Firefox on a phone")
    return max(pk(s) for s in sessions.of_member(w.db, pk(member)))


def _reset_token(w: World) -> str:
    started = accounts.start_password_reset(w.db, w.someone.email)
    assert started is not None
    return started[1]


def test_every_listed_route_has_an_attempt() -> None:
    assert ATTEMPTS.keys() == ALLOWED.keys()


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_who_may_use_each_state_changing_route(client: TestClient, db: Session, app: Starlette, name: str) -> None:
    """Each role in turn, those refused first: they try the world as it was made."""
    world = World(db, app)
    wrong = []
    for role in sorted(ROLES, key=lambda role: role in ALLOWED[name]):
        attempt = ATTEMPTS[name](world, role)
        client.cookies.clear()
        app.state.limiter.reset()  # each role is someone else, at another time
        if role != "anonymous":
            sign_in(client, world.members[role])
        token = csrf_from(client, "/signin")
        response = client.post(attempt.path, data={"csrf_token": token, **attempt.data}, files=attempt.files)
        sent_to_sign_in = response.status_code == 303 and response.headers["location"].startswith("/signin")
        if role in ALLOWED[name]:
            ok = response.status_code in (200, 303) and not sent_to_sign_in
        else:
            refusals = (403, 404) if name in HIDDEN_FROM_OTHERS else (403,)
            ok = sent_to_sign_in if role == "anonymous" else response.status_code in refusals
        if not ok:
            may = "may" if role in ALLOWED[name] else "may not"
            wrong.append(f"{role} {may} use it, and got {response.status_code} {response.text[:200]!r}")
    assert not wrong, f"{name}: " + "; ".join(wrong)


# --- CSRF and suspension, for the same routes ---------------------------------------------------------


def _concrete(route: Route) -> str:
    """The route's path with its parameters filled in: the checks below run before any lookup."""
    params = {name: 1 if "[0-9]" in convertor.regex else "x" for name, convertor in route.param_convertors.items()}
    return str(route.url_path_for(route.name, **params))


def _checked(route: Route) -> bool:
    return not getattr(route.endpoint, "token_authorised", False)


CSRF_CHECKED = sorted(name for name, route in state_changing_routes().items() if _checked(route))


@pytest.fixture
def citizen(client: TestClient, db: Session, app: Starlette) -> accounts.Member:
    member = World(db, app).members["citizen"]
    sign_in(client, member)
    return member


@pytest.mark.parametrize("name", CSRF_CHECKED)
def test_every_state_changing_route_refuses_a_missing_or_foreign_csrf_token(
    client: TestClient, app: Starlette, citizen: accounts.Member, name: str
) -> None:
    route = state_changing_routes()[name]
    path = _concrete(route)
    with TestClient(app, base_url="http://127.0.0.1:8000") as stranger:
        foreign = csrf_from(stranger, "/signin")  # a real token, of another session
    for method in sorted((route.methods or set()) & UNSAFE):
        assert client.request(method, path, data={"anything": "x"}).status_code == 403, f"{method} {path}: no token"
        forged = client.request(method, path, data={"csrf_token": foreign})
        assert forged.status_code == 403, f"{method} {path} accepted another session's token"


def test_token_authorised_routes_are_few_and_refuse_a_bad_token(client: TestClient) -> None:
    exempt = [name for name, route in state_changing_routes().items() if not _checked(route)]
    assert exempt == ["core:unsubscribe"]
    assert client.post("/unsubscribe/forged-token").status_code == 404


# What a suspended member may still do to their own account; every other write is refused.
OPEN_WHILE_SUSPENDED = {
    "core:signin",
    "core:signout",
    "core:password_forgot",
    "core:password_reset",
    "core:language",
    "core:email_settings",
    "core:export",
    "core:delete_account",
    "core:unsubscribe",
}


def test_the_routes_open_while_suspended_are_the_own_account_ones() -> None:
    found = {name for name, route in state_changing_routes().items() if getattr(route.endpoint, "own_account", False)}
    assert found == OPEN_WHILE_SUSPENDED


@pytest.mark.parametrize("name", sorted(ALLOWED.keys() - OPEN_WHILE_SUSPENDED))
def test_a_suspended_member_writes_nothing(
    client: TestClient, db: Session, app: Starlette, citizen: accounts.Member, name: str
) -> None:
    citizen.suspended_until = utcnow() + timedelta(days=7)
    db.add(citizen)
    db.commit()
    route = state_changing_routes()[name]
    refused = post(client, _concrete(route), {}, token_from="/signin")
    assert refused.status_code == 403 and "停權" in refused.text, f"a suspended member used {name}"
