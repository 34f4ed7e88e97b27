"""The kernel's pages: home, sign-up and sign-in, password reset, profile, language, job status,
the admin's roles page and the outbox, plus /healthz."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy import text
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core import account_mail, accounts, i18n, notify, places, sessions, throttle
from core.accounts import ORG_TYPE_LABELS, ROLE_LABELS, Role
from core.db import pk
from core.errors import N_, Invalid, NotFound
from core.jobs import STATUS_LABELS, Job
from core.web import (
    Ctx,
    current_session,
    json_download,
    own_account_page,
    page,
    sign_in,
    sign_out,
    token_authorised_page,
    too_many_requests,
)


def _safe_next(target: str) -> str:
    """Only same-site paths, so ?next= cannot send someone to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


# --- sign-up, sign-in, sign-out -------------------------------------------------------------------


def _profile_form(ctx: Ctx) -> dict[str, str]:
    return {k: ctx.text(k) for k in ("display_name", "org_name", "org_type")}


@page
def signup(ctx: Ctx) -> Response:
    values = {"email": "", "display_name": "", "org_name": "", "org_type": ""}
    if ctx.request.method == "POST":
        ctx.limit("signup", ctx.client_ip)
        values = {"email": ctx.text("email"), **_profile_form(ctx)}
        try:
            email, token = accounts.request_sign_up(ctx.db, password=ctx.text("password"), **values)
        except Invalid as invalid:
            return ctx.render("core/signup.html", 400, values=values, errors=invalid.errors, org_types=ORG_TYPE_LABELS)
        account_mail.send_sign_up_mail(ctx.db, ctx.queue, email, token)
        # The same page whether or not the address has an account: the e-mail says which.
        return ctx.render("core/signup_sent.html", email=email)
    return ctx.render("core/signup.html", values=values, errors={}, org_types=ORG_TYPE_LABELS)


@page
def signup_confirm(ctx: Ctx) -> Response:
    """The e-mailed link: a GET only asks (mail programs open links), the button creates the account."""
    token = ctx.request.path_params["token"]
    if ctx.request.method == "POST":
        try:
            member = accounts.finish_sign_up(ctx.db, token)
        except Invalid:
            return ctx.render("core/signup_confirm.html", 404, valid=False)
        sign_in(ctx.request, ctx.db, member)
        ctx.flash(N_("Welcome! Your account is ready."))
        return ctx.redirect("/")
    valid = accounts.sign_up_token_is_valid(ctx.db, token)
    return ctx.render("core/signup_confirm.html", 200 if valid else 404, valid=valid)


@own_account_page
def signin(ctx: Ctx) -> Response:
    next_url = _safe_next(ctx.text("next") or ctx.query("next", "/"))
    if ctx.request.method == "POST":
        email = ctx.text("email")
        account_cap = ctx.limiter.rule("signin")
        if wait := throttle.wait_before_sign_in(ctx.db, ctx.client_ip, email, account_cap):
            raise too_many_requests(wait)
        member = accounts.authenticate(ctx.db, email, ctx.text("password"))
        if member is None:
            throttle.record_failure(ctx.db, ctx.client_ip, email, account_cap)
            errors = {"": N_("The e-mail address or password is not right.")}
            return ctx.render("core/signin.html", 400, email=email, next=next_url, errors=errors)
        sign_in(ctx.request, ctx.db, member)
        response = ctx.redirect(next_url)
        if member.locale:
            response.set_cookie(i18n.COOKIE, member.locale, max_age=365 * 86400, samesite="lax")
        return response
    return ctx.render("core/signin.html", email="", next=next_url, errors={})


@own_account_page
def signout(ctx: Ctx) -> Response:
    sign_out(ctx.request, ctx.db)
    return ctx.redirect("/")


# --- password reset -------------------------------------------------------------------------------


@own_account_page
def password_forgot(ctx: Ctx) -> Response:
    if ctx.request.method == "POST":
        email = accounts.normalise_email(ctx.text("email"))
        ctx.limit("reset", ctx.client_ip)
        ctx.limit("reset", email)  # nobody fills someone's mailbox with links
        account_mail.ask_for_password_reset(ctx.db, ctx.queue, email)
        # The same answer, after the same work, either way: the page does not tell who has an account.
        return ctx.render("core/password_sent.html")
    return ctx.render("core/password_forgot.html")


@own_account_page
def password_reset(ctx: Ctx) -> Response:
    token = ctx.request.path_params["token"]
    if ctx.request.method == "POST":
        try:
            member = accounts.finish_password_reset(ctx.db, token, ctx.text("password"))
        except Invalid as invalid:
            return ctx.render("core/password_reset.html", 400, errors=invalid.errors, valid=True)
        sign_in(ctx.request, ctx.db, member)
        ctx.flash(N_("Your password has been changed."))
        return ctx.redirect("/")
    valid = accounts.reset_token_is_valid(ctx.db, token)
    return ctx.render("core/password_reset.html", 200 if valid else 404, errors={}, valid=valid)


# --- profile --------------------------------------------------------------------------------------


@own_account_page
def email_settings(ctx: Ctx) -> Response:
    member = ctx.require_member()
    try:
        accounts.set_email_frequency(ctx.db, member, ctx.text("email_frequency"))
    except Invalid as invalid:
        raise HTTPException(400, detail=invalid.errors["email_frequency"]) from None
    ctx.flash(N_("Saved."))
    return ctx.redirect(ctx.url("core:profile"))


@page
def profile(ctx: Ctx) -> Response:
    member = ctx.require_member()
    values = {"display_name": member.display_name, "org_name": member.org_name, "org_type": member.org_type}
    values |= {"place_code": member.place_code or "", "postal_code": ""}
    if ctx.request.method == "POST":
        values = _profile_form(ctx) | {"place_code": ctx.text("place_code"), "postal_code": ctx.text("postal_code")}
        try:
            place = places.choose_place(ctx.db, values["place_code"], values["postal_code"])  # checked before any write
            accounts.update_profile(ctx.db, member, values["display_name"], values["org_name"], values["org_type"])
            accounts.set_place(ctx.db, member, place or "")
        except Invalid as invalid:
            return ctx.render("core/profile.html", 400, values=values, errors=invalid.errors, **_profile_extras(ctx))
        ctx.flash(N_("Your profile has been saved."))
        return ctx.redirect(ctx.url("core:profile"))
    return ctx.render("core/profile.html", values=values, errors={}, **_profile_extras(ctx))


def _profile_extras(ctx: Ctx) -> dict[str, Any]:
    return {
        "org_types": ORG_TYPE_LABELS,
        "frequencies": accounts.EMAIL_FREQUENCIES,
        "follows": notify.follows_of(ctx.db, ctx.require_member()),
        "townships": places.township_choices(ctx.db, i18n.get_locale()),
    }


@page
def change_password(ctx: Ctx) -> Response:
    member = ctx.require_member()
    # Wrong current passwords count as failed sign-ins: a stolen session must not guess at leisure.
    account_cap = ctx.limiter.rule("signin")
    if wait := throttle.wait_before_sign_in(ctx.db, ctx.client_ip, member.email, account_cap):
        raise too_many_requests(wait)
    try:
        keep = current_session(ctx.request, ctx.db)
        accounts.change_password(ctx.db, member, ctx.text("current_password"), ctx.text("new_password"), keep)
    except Invalid as invalid:
        if "current_password" in invalid.errors:
            throttle.record_failure(ctx.db, ctx.client_ip, member.email, account_cap)
        values = {"display_name": member.display_name, "org_name": member.org_name, "org_type": member.org_type}
        return ctx.render("core/profile.html", 400, values=values, errors=invalid.errors, **_profile_extras(ctx))
    ctx.flash(N_("Your password has been changed. Every other session is signed out."))
    return ctx.redirect(ctx.url("core:profile"))


@page
def sessions_page(ctx: Ctx) -> Response:
    member = ctx.require_member()
    current = current_session(ctx.request, ctx.db)
    return ctx.render("core/sessions.html", sessions=sessions.of_member(ctx.db, pk(member)), current=current)


@page
def end_session(ctx: Ctx) -> Response:
    member = ctx.require_member()
    current = current_session(ctx.request, ctx.db)
    session_id = ctx.request.path_params["session_id"]
    if current is not None and current.id == session_id:
        raise HTTPException(400, detail=N_("To end this session, sign out."))
    if not sessions.end_one(ctx.db, pk(member), session_id):
        raise NotFound("session")  # someone else's session is not even acknowledged
    ctx.flash(N_("That session is signed out."))
    return ctx.redirect(ctx.url("core:sessions"))


@page
def end_other_sessions(ctx: Ctx) -> Response:
    member = ctx.require_member()
    sessions.end_all(ctx.db, pk(member), keep=current_session(ctx.request, ctx.db))
    ctx.flash(N_("You are signed out everywhere else."))
    return ctx.redirect(ctx.url("core:sessions"))


@page
def member_page(ctx: Ctx) -> Response:
    member = accounts.get_member(ctx.db, ctx.request.path_params["member_id"])
    return ctx.render(
        "core/member.html",
        shown=member,
        shown_roles=accounts.roles_of(ctx.db, member),
        role_labels=ROLE_LABELS,
        org_types=ORG_TYPE_LABELS,
    )


@own_account_page
def export_my_data(ctx: Ctx) -> Response:
    member = ctx.require_member()
    job = ctx.queue.submit(ctx.db, "export_member_data", {"member_id": member.id}, requested_by=member.id)
    return ctx.redirect(ctx.url("core:job", job_id=job.id))


@own_account_page
def delete_account(ctx: Ctx) -> Response:
    member = ctx.require_member()
    try:
        accounts.delete_account(ctx.db, member, ctx.text("password"))
    except Invalid as invalid:
        values = {"display_name": member.display_name, "org_name": member.org_name, "org_type": member.org_type}
        return ctx.render("core/profile.html", 400, values=values, errors=invalid.errors, **_profile_extras(ctx))
    sign_out(ctx.request, ctx.db)
    ctx.flash(N_("Your account is deleted. What you wrote stays, under “former member”."))
    return ctx.redirect("/")


# --- language -------------------------------------------------------------------------------------


@own_account_page
def set_language(ctx: Ctx) -> Response:
    locale = ctx.text("locale")
    if locale not in i18n.available_locales():
        raise HTTPException(400, detail=N_("That language is not available."))
    if ctx.member is not None:
        accounts.set_locale(ctx.db, ctx.member, locale)
    response = ctx.redirect(_safe_next(ctx.text("next")))
    response.set_cookie(i18n.COOKIE, locale, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


# --- jobs -----------------------------------------------------------------------------------------


def _own_job(ctx: Ctx) -> Job:
    member = ctx.require_member()
    job = ctx.db.get(Job, ctx.request.path_params["job_id"])
    if job is None or (job.requested_by_id != member.id and Role.admin not in ctx.roles):
        raise NotFound("job")  # someone else's job is not even acknowledged
    return job


@page
def job_status(ctx: Ctx) -> Response:
    job = _own_job(ctx)
    return ctx.render("core/job.html", partial="core/_job_status.html", job=job, status_labels=STATUS_LABELS)


@page
def job_result(ctx: Ctx) -> Response:
    job = _own_job(ctx)
    if job.status != "done":
        raise NotFound("result")
    return json_download(f"thinktank-{job.kind}-{job.id}.json", job.result_data())


@page
def notifications(ctx: Ctx) -> Response:
    member = ctx.require_member()
    items = notify.notifications_for(ctx.db, pk(member))
    response = ctx.render("core/notifications.html", items=items, unread=0)
    notify.mark_read(ctx.db, pk(member))
    return response


@page
def follow_toggle(ctx: Ctx) -> Response:
    member = ctx.require_member()
    kind, ident = ctx.text("kind"), ctx.int_field("id")
    if kind not in notify.followable or ident is None:
        raise HTTPException(400)
    if notify.followable[kind](ctx.db, ident) is None:
        raise NotFound(str(ident))
    if ctx.text("action") == "unfollow":
        notify.unfollow(ctx.db, member, kind, ident)
        ctx.flash(N_("You no longer follow this."))
    else:
        notify.follow(ctx.db, member, kind, ident)
        ctx.flash(N_("You follow this now. You will be told when something happens."))
    return ctx.redirect(_safe_next(ctx.text("next")))


@token_authorised_page
def unsubscribe(ctx: Ctx) -> Response:
    """One-click unsubscribe from the link in every e-mail. The signed token authorises it, so the
    POST needs no CSRF token (mail programs send it with no session, RFC 8058); a GET only asks."""
    member_id = notify.member_from_unsubscribe_token(ctx.settings.secret_key, ctx.request.path_params["token"])
    if member_id is None:
        raise NotFound("token")
    member = accounts.get_member(ctx.db, member_id)
    if ctx.request.method == "POST":
        accounts.set_email_frequency(ctx.db, member, "off")
        return ctx.render("core/unsubscribed.html")
    return ctx.render("core/unsubscribe.html", token=ctx.request.path_params["token"])


# --- administration -------------------------------------------------------------------------------


@page
def admin_members(ctx: Ctx) -> Response:
    ctx.require_role(Role.admin)
    query = ctx.query("q")
    members = accounts.list_members(ctx.db, query)
    return ctx.render(
        "core/admin_members.html",
        partial="core/_member_rows.html",
        members=members,
        member_roles=accounts.roles_by_member(ctx.db, [m.id for m in members if m.id]),
        agencies=accounts.list_agencies(ctx.db),
        grantable=accounts.GRANTABLE_ROLES,
        role_labels=ROLE_LABELS,
        q=query,
        errors={},
    )


@page
def admin_member_roles(ctx: Ctx) -> Response:
    admin = ctx.require_role(Role.admin)
    member = accounts.get_member(ctx.db, ctx.request.path_params["member_id"])
    role, action = ctx.text("role"), ctx.text("action")
    if action == "grant":
        agency = accounts.get_agency(ctx.db, ctx.text("agency")) if ctx.text("agency") else None
        try:
            accounts.grant_role(ctx.db, member, role, granted_by=admin, agency=agency)
        except Invalid as invalid:
            raise HTTPException(400, detail=next(iter(invalid.errors.values()))) from None
    elif action == "revoke":
        if role == Role.admin and accounts.count_admins(ctx.db) <= 1:
            raise HTTPException(400, detail=N_("The site must keep at least one administrator."))
        accounts.revoke_role(ctx.db, member, role)
    else:
        raise HTTPException(400)
    ctx.flash(N_("Roles updated."))
    return ctx.redirect(ctx.url("core:admin_members") + f"?q={member.email}")


@page
def agencies(ctx: Ctx) -> Response:
    values, errors = {"slug": "", "name": "", "name_en": ""}, {}
    if ctx.request.method == "POST":
        ctx.require_role(Role.admin)
        values = {k: ctx.text(k) for k in values}
        try:
            accounts.create_agency(ctx.db, **values)
        except Invalid as invalid:
            errors = invalid.errors
        else:
            ctx.flash(N_("Agency created."))
            return ctx.redirect(ctx.url("core:agencies"))
    return ctx.render(
        "core/agencies.html",
        400 if errors else 200,
        agencies=accounts.list_agencies(ctx.db),
        values=values,
        errors=errors,
    )


@page
def outbox(ctx: Ctx) -> Response:
    ctx.require_role(Role.admin)
    return ctx.render("core/outbox.html", mails=notify.recent_outbox(ctx.db))


# --- health ---------------------------------------------------------------------------------------


def _health(state: Any, checking: threading.Lock) -> tuple[str, str]:
    # One check at a time per app: a database or Redis that never answers holds one thread, not the
    # pool that every sync page shares, however often the load balancer asks.
    if not checking.acquire(blocking=False):
        return "error: still checking", "error: still checking"
    try:
        try:
            with state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            database = "ok"
        except Exception as exc:  # reported, not raised: this page exists to say what is down
            database = f"error: {type(exc).__name__}"
        return database, state.queue.health()
    finally:
        checking.release()


# The checks run in a thread, so a hung database cannot freeze the event loop (and every page and
# static file with it), and get HEALTH_TIMEOUT seconds, after which a dependency that hangs is down.
async def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    if not hasattr(state, "health_checking"):
        state.health_checking = threading.Lock()
    database = queue = "error: timeout"
    with anyio.move_on_after(state.settings.health_timeout):
        database, queue = await anyio.to_thread.run_sync(_health, state, state.health_checking, abandon_on_cancel=True)
    healthy = database == "ok" and queue == "ok"
    return JSONResponse(
        {"status": "ok" if healthy else "error", "database": database, "queue": queue},
        status_code=200 if healthy else 503,
    )


routes = [
    Route("/signup", signup, methods=["GET", "POST"], name="core:signup"),
    Route("/signup/confirm/{token}", signup_confirm, methods=["GET", "POST"], name="core:signup_confirm"),
    Route("/signin", signin, methods=["GET", "POST"], name="core:signin"),
    Route("/signout", signout, methods=["POST"], name="core:signout"),
    Route("/password/forgot", password_forgot, methods=["GET", "POST"], name="core:password_forgot"),
    Route("/password/reset/{token}", password_reset, methods=["GET", "POST"], name="core:password_reset"),
    Route("/profile", profile, methods=["GET", "POST"], name="core:profile"),
    Route("/profile/export", export_my_data, methods=["POST"], name="core:export"),
    Route("/profile/delete", delete_account, methods=["POST"], name="core:delete_account"),
    Route("/profile/email", email_settings, methods=["POST"], name="core:email_settings"),
    Route("/profile/password", change_password, methods=["POST"], name="core:change_password"),
    Route("/profile/sessions", sessions_page, name="core:sessions"),
    Route("/profile/sessions/others/end", end_other_sessions, methods=["POST"], name="core:end_other_sessions"),
    Route("/profile/sessions/{session_id:int}/end", end_session, methods=["POST"], name="core:end_session"),
    Route("/members/{member_id:int}", member_page, name="core:member"),
    Route("/language", set_language, methods=["POST"], name="core:language"),
    Route("/jobs/{job_id:int}", job_status, name="core:job"),
    Route("/jobs/{job_id:int}/result", job_result, name="core:job_result"),
    Route("/agencies", agencies, methods=["GET", "POST"], name="core:agencies"),
    Route("/admin/members", admin_members, name="core:admin_members"),
    Route("/admin/members/{member_id:int}/roles", admin_member_roles, methods=["POST"], name="core:admin_member_roles"),
    Route("/outbox", outbox, name="core:outbox"),
    Route("/notifications", notifications, name="core:notifications"),
    Route("/follow", follow_toggle, methods=["POST"], name="core:follow"),
    Route("/unsubscribe/{token}", unsubscribe, methods=["GET", "POST"], name="core:unsubscribe"),
    Route("/healthz", healthz, name="core:healthz"),
]
