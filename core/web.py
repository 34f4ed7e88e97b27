"""The web kernel: the one Jinja2 environment, the request context every page handler gets,
HTMX helpers, CSRF enforcement and the error pages.

Handlers are plain functions ``def handler(ctx: Ctx) -> Response`` wrapped by ``@page``. The
wrapper reads the form (checking its CSRF token on every state-changing method), then runs the
handler in a worker thread with a database session, so blocking database and hashing work never
stalls the event loop.
"""

from __future__ import annotations

import csv
import http
import io
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup, escape
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import FormData, Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import accounts, i18n, moderation, notify, response_cache, sessions
from core.db import pk, utcnow
from core.errors import N_, Forbidden, NotFound
from core.input import MAX_INT, clean_text, has_control, whole_number
from core.jobs import FAILURE_REASONS, Queue, QueueUnavailable
from core.markup import render_markdown
from core.ratelimit import RateLimiter
from core.security import CSRF_FIELD, CSRF_HEADER, csrf_ok, csrf_token
from core.settings import ROOT, Settings
from core.spreadsheet import defuse

log = logging.getLogger(__name__)

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FORM_FIELDS = 200
SESSION_KEY = "sid"  # the cookie's session token (core.sessions keeps its hash)

# --- templates --------------------------------------------------------------------------------


def _build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(ROOT / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the code and change only with a restart. Jinja's default
        # checks each template file's mtime on every use (every include and import of every
        # render): a tenth of a busy web process's time under benchmarks/load.py.
        auto_reload=False,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["datetime"] = _datetime_filter
    env.filters["date"] = _date_filter
    env.filters["number"] = i18n.format_number
    env.filters["percent"] = i18n.format_percent
    env.filters["input_datetime"] = _input_datetime_filter
    env.filters["markdown"] = render_markdown
    env.globals["language_name"] = i18n.language_name
    env.globals["translate"] = i18n.gettext  # plain gettext (no %-formatting), for stored messages
    env.globals["flag_reasons"] = moderation.REASONS
    env.filters["name"] = _name_filter
    env.filters["label"] = _label_filter
    env.filters["parens"] = _parens_filter
    env.filters["series"] = _series_filter
    env.globals["countdown"] = countdown
    env.globals["text_lang"] = i18n.text_lang
    env.globals["language_label"] = i18n.language_label
    env.globals["article_label"] = i18n.article_label
    return env


def countdown(deadline: datetime | None, now: datetime | None = None) -> Markup:
    """Time left until `deadline` in days and hours, with the date itself, or how many days late
    it is (marked overdue). The same words are what a screen reader reads."""
    if deadline is None:
        return Markup("")
    aware = deadline.replace(tzinfo=UTC) if deadline.tzinfo is None else deadline
    left = aware - (now or utcnow())
    when = i18n.format_datetime(aware, i18n.get_timezone())
    if left < timedelta(0):
        late = _days(max(1, -left // timedelta(days=1)))
        text, note, css = (
            i18n.gettext("%(time)s overdue") % {"time": late},
            N_("was due %(when)s"),
            " countdown--overdue",
        )
    else:
        days, hours = left.days, left.seconds // 3600
        if days:
            span = f"{_days(days)} {_hours(hours)}" if hours else _days(days)
        else:
            span = _hours(hours) if hours else i18n.gettext("less than an hour")
        text, note, css = i18n.gettext("%(time)s left") % {"time": span}, N_("ends %(when)s"), ""
    return Markup('<span class="countdown{css}"><time datetime="{iso}">{text}</time> {note}</span>').format(
        css=css, iso=aware.isoformat(), text=text, note=_parens_filter(i18n.gettext(note) % {"when": when})
    )


def _days(n: int) -> str:
    return i18n.ngettext("%(num)s day", "%(num)s days", n) % {"num": n}


def _hours(n: int) -> str:
    return i18n.ngettext("%(num)s hour", "%(num)s hours", n) % {"num": n}


# Punctuation set around translated words: full-width in Chinese, as its typography asks.
_COLON = {"zh_TW": "："}
_PARENS = {"zh_TW": ("（", "）")}
_LIST_SEPARATOR = {"zh_TW": "、"}


def _label_filter(text: Any) -> Markup:
    """`text` followed by the reader's language's colon: 官方狀態：, "Official status: "."""
    return escape(text) + Markup(_COLON.get(i18n.get_locale(), ": "))


def _series_filter(items: Iterable[Any]) -> Markup:
    """Items one after another as the reader's language lists them: A、B、C or A, B, C."""
    return Markup(_LIST_SEPARATOR.get(i18n.get_locale(), ", ")).join(escape(item) for item in items)


def _parens_filter(text: Any) -> Markup:
    opening, closing = _PARENS.get(i18n.get_locale(), ("(", ")"))
    return Markup(opening) + escape(text) + Markup(closing)


def _name_filter(member: accounts.Member) -> str:
    """A member's public name; a deleted account is "former member" in the reader's language."""
    return i18n.gettext(accounts.FORMER_MEMBER) if member.deleted_at else member.display_name


def _datetime_filter(value: Any) -> str:
    return i18n.format_datetime(value, i18n.get_timezone())


@pass_context
def _input_datetime_filter(context: Any, value: Any) -> str:
    return i18n.local_input_value(value, context["timezone"])


def _date_filter(value: Any) -> str:
    return i18n.format_date(value, i18n.get_timezone())


templates = _build_environment()


# --- the per-request context --------------------------------------------------------------------


class SignInRequired(Exception):
    pass


def too_many_requests(retry_after: int) -> HTTPException:
    """The 429 every limit answers with, saying in Retry-After when to try again (seconds)."""
    return HTTPException(429, headers={"Retry-After": str(retry_after)})


@dataclass
class Ctx:
    request: Request
    db: Session
    form: FormData
    settings: Settings
    queue: Queue
    limiter: RateLimiter
    member: accounts.Member | None = None
    roles: set[str] = field(default_factory=set)

    # who is asking

    def require_member(self) -> accounts.Member:
        if self.member is None:
            raise SignInRequired
        return self.member

    def require_role(self, *roles: str) -> accounts.Member:
        """The signed-in member if they hold one of `roles` (admins hold every role)."""
        member = self.require_member()
        if not (self.roles & {*roles, accounts.Role.admin.value}):
            raise HTTPException(403, detail=N_("Your account does not have the role needed for this."))
        return member

    def contributor(self, bucket: str = "post") -> accounts.Member:
        """The signed-in member if they may post now: within the rate limit of `bucket` ("post"
        for comments, statements and proposals, "vote" for votes). A suspended member never gets
        here: `_run` refuses every write of theirs."""
        member = self.require_member()
        self.limit(bucket, str(member.id))
        return member

    def limit(self, bucket: str, *keys: str) -> None:
        response_cache.keep_private(self.request.scope)  # every request must reach the limit
        if not self.limiter.hit(bucket, *keys):
            raise too_many_requests(self.limiter.retry_after(bucket, *keys))

    @property
    def client_ip(self) -> str:
        return self.request.client.host if self.request.client else "unknown"

    # reading input

    def text(self, name: str) -> str:
        """A form field as text ('' when missing). Files are not text and read as ''."""
        value = self.form.get(name)
        return value if isinstance(value, str) else ""

    def local_datetime(self, name: str) -> datetime | None:
        """A datetime-local form field, in the site's time zone, as UTC (None when empty or bad)."""
        return i18n.parse_local_datetime(self.text(name), self.settings.timezone)

    def int_query(self, name: str) -> int | None:
        """A whole number from the query string (None when empty); anything else is a 400, not a guess."""
        return _whole_number_or_400(self.query(name))

    def int_field(self, name: str) -> int | None:
        """A whole number from the form (None when empty); anything else is a 400."""
        return _whole_number_or_400(self.text(name))

    def date_query(self, name: str) -> date | None:
        """A YYYY-MM-DD date from the query string (None when empty); anything else is a 400."""
        raw = self.query(name).strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise HTTPException(400, detail=N_("Dates are written as YYYY-MM-DD.")) from None

    def query(self, name: str, default: str = "") -> str:
        return clean_text(self.request.query_params.get(name, default))

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    # answering

    def url(self, name: str, **params: Any) -> str:
        return url_path(self.request.app, name, **params)

    def flash(self, message: str) -> None:
        """A message shown once, on the next page (a translated msgid)."""
        self.request.session.setdefault("flash", []).append(message)

    def render(self, template: str, status: int = 200, partial: str | None = None, **context: Any) -> HTMLResponse:
        """Render a page; with `partial`, an HTMX request gets just that fragment."""
        name = partial if (partial and self.htmx) else template
        unread = notify.unread_count(self.db, self.member.id) if self.member and self.member.id else 0
        context = {"member": self.member, "roles": self.roles, "unread": unread, **context}
        response = HTMLResponse(render(self.request, name, **context), status)
        if partial:
            response.headers["Vary"] = "HX-Request"
        return response

    def redirect(self, url: str) -> Response:
        """See other: after a successful POST, and for HTMX a full-page redirect."""
        if self.htmx:
            return Response(status_code=204, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)


def _whole_number_or_400(raw: str) -> int | None:
    if not raw.strip():
        return None
    number = whole_number(raw)
    if number is None:
        raise HTTPException(400)
    return number


_URL_PATHS_KEPT = 20_000


def url_path(app: Any, name: str, **params: Any) -> str:
    """`app.url_path_for(name, **params)`, remembered per app. The routes never change once the
    app is built, and Starlette finds a path by trying every route in turn (each miss raising
    NoMatchFound), which a page listing comments did dozens of times per request."""
    paths: dict[tuple[Any, ...], str] | None = getattr(app.state, "url_paths", None)
    if paths is None:
        paths = app.state.url_paths = {}
    key = (name, *sorted(params.items()))
    path = paths.get(key)
    if path is None:
        if len(paths) >= _URL_PATHS_KEPT:
            paths.clear()
        path = paths[key] = str(app.url_path_for(name, **params))
    return path


def render(request: Request, template: str, **context: Any) -> str:
    locale = i18n.get_locale()
    settings: Settings = request.app.state.settings
    i18n.set_timezone(settings.timezone)  # for the date filters, in macros imported without context too
    session = request.scope.get("session")
    base = {
        "request": request,
        "locale": locale,
        "html_lang": i18n.html_lang(locale),
        "locales": i18n.available_locales(),
        "timezone": settings.timezone,
        "csrf_token": csrf_token(session) if session is not None else "",
        "flashes": session.pop("flash", []) if session is not None else [],
        "url": lambda name, **params: url_path(request.app, name, **params),
        "current_path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "member": None,
        "roles": set(),
        "unread": 0,
    }
    base.update(context)
    return templates.get_template(template).render(base)


def csrf_input(token: str) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)


templates.globals["csrf_input"] = csrf_input


def page(handler: Callable[[Ctx], Response]) -> Callable[[Request], Any]:
    """Wrap a handler: parse the form, enforce CSRF, open a session, load the member. A suspended
    member's writes are refused here, before the handler runs."""
    return _wrap(handler, csrf=True, own_account=False)


def own_account_page(handler: Callable[[Ctx], Response]) -> Callable[[Request], Any]:
    """Like `page`, for what a member may do to their own account even while suspended, since no
    one else sees it: sign in and out, password, language, how often to get e-mail, and their
    rights to take their data and to leave."""
    return _wrap(handler, csrf=True, own_account=True)


def token_authorised_page(handler: Callable[[Ctx], Response]) -> Callable[[Request], Any]:
    """Like `page`, without the CSRF check: only for handlers whose URL carries a signed token
    that is itself the authorisation (one-click unsubscribe from an e-mail). The token, not the
    session, says whose account it is, so a suspension does not stop it either."""
    return _wrap(handler, csrf=False, own_account=True)


class _IdConvertor(Convertor[int]):
    """Starlette's `{name:int}` with at most ten digits: its own takes any length, which int()
    refuses past 4,300 digits and the database past its integer columns (see `_path_names_nothing`)."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


# Every route module imports this one before it builds its routes, so each `{…:int}` is this.
register_url_convertor("int", _IdConvertor())


def _path_names_nothing(request: Request) -> bool:
    """A number beyond the database's integers, or text with a control character, in the path."""
    return any(
        (isinstance(value, int) and value > MAX_INT) or (isinstance(value, str) and has_control(value))
        for value in request.path_params.values()
    )


async def _read_form(request: Request) -> FormData:
    """The form with control characters taken out of every text field, as the one place form
    text comes in: PostgreSQL refuses a NUL, and no field has a use for one."""
    form = await request.form(max_fields=MAX_FORM_FIELDS)
    return FormData([(k, clean_text(v) if isinstance(v, str) else v) for k, v in form.multi_items()])


def _wrap(handler: Callable[[Ctx], Response], csrf: bool, own_account: bool) -> Callable[[Request], Any]:
    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        if _path_names_nothing(request):
            raise HTTPException(404)
        form = FormData()
        if request.method in UNSAFE_METHODS:
            form = await _read_form(request)
            value = form.get(CSRF_FIELD)
            if csrf and not csrf_ok(
                request.session, value if isinstance(value, str) else None, request.headers.get(CSRF_HEADER)
            ):
                await form.close()
                raise HTTPException(
                    403,
                    detail=N_(
                        "This form has expired or did not come from this site. Go back, reload the page and try again."
                    ),
                )
        try:
            return await run_in_threadpool(_run, handler, request, form, own_account)
        finally:
            await form.close()  # uploaded files are temporary files

    endpoint.token_authorised = not csrf  # type: ignore[attr-defined]  # the CSRF test reads it
    endpoint.own_account = own_account  # type: ignore[attr-defined]  # the role matrix test reads it
    return endpoint


def _run(handler: Callable[[Ctx], Response], request: Request, form: FormData, own_account: bool) -> Response:
    state = request.app.state
    engine: Engine = state.engine
    with Session(engine, expire_on_commit=False) as db:
        ctx = Ctx(request, db, form, state.settings, state.queue, state.limiter)
        ctx.member = current_member(request, db)
        if ctx.member is not None:
            ctx.roles = accounts.roles_of(db, ctx.member)
            # The one check for every write, whatever the role: suspended members read, and write nothing.
            if request.method in UNSAFE_METHODS and not own_account and ctx.member.suspended():
                raise HTTPException(403, detail=N_("Your account is suspended for now; the moderation log says why."))
        try:
            return handler(ctx)
        except SignInRequired:
            db.rollback()
            return RedirectResponse(f"/signin?next={quote(request.url.path)}", status_code=303)
        except NotFound:
            db.rollback()
            raise HTTPException(404) from None
        except Forbidden:
            db.rollback()
            raise HTTPException(403) from None
        except QueueUnavailable:  # the job's row is already marked failed: nothing waits on it
            db.rollback()
            raise HTTPException(503, detail=FAILURE_REASONS["unavailable"], headers={"Retry-After": "60"}) from None
        except BaseException:
            db.rollback()
            raise


# --- who is signed in ---------------------------------------------------------------------------


def sign_in(request: Request, db: Session, member: accounts.Member) -> None:
    # A fresh session on sign-in (no fixation); the CSRF token is renewed with it.
    sign_out(request, db)
    request.session[SESSION_KEY] = sessions.start(db, pk(member), request.headers.get("user-agent", ""))


def sign_out(request: Request, db: Session) -> None:
    if token := request.session.get(SESSION_KEY):
        sessions.end(db, str(token))
    request.session.clear()


def current_session(request: Request, db: Session) -> sessions.MemberSession | None:
    token = request.session.get(SESSION_KEY)
    return sessions.find(db, str(token)) if token else None


def current_member(request: Request, db: Session) -> accounts.Member | None:
    row = current_session(request, db)
    member = db.get(accounts.Member, row.member_id) if row else None
    if member is None and SESSION_KEY in request.session:
        request.session.clear()  # signed out elsewhere, or a new password ended it
    return member


# --- languages ----------------------------------------------------------------------------------


class LocaleMiddleware:
    """Pick the reader's language for this request (cookie, then Accept-Language, then default)."""

    def __init__(self, app: ASGIApp, default: str):
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope)
            locale = locale_for(request, self.default)
            i18n.set_locale(locale)
            scope.setdefault("state", {})["locale"] = locale
        await self.app(scope, receive, send)


def locale_for(request: Request, default: str) -> str:
    return i18n.negotiate(request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"), default)


# --- errors -------------------------------------------------------------------------------------

ERROR_TEXT = {
    400: (N_("Bad request"), N_("The request could not be understood. Check what you entered and try again.")),
    403: (N_("Not allowed"), N_("You do not have permission to do this.")),
    404: (N_("Page not found"), N_("There is no page at this address. It may have moved, or the link may be wrong.")),
    405: (N_("Method not allowed"), N_("This address does not accept that kind of request.")),
    413: (N_("Too large"), N_("What you sent is larger than this site accepts.")),
    422: (N_("Cannot be processed"), N_("Some of what you entered cannot be used. Check it and try again.")),
    429: (N_("Too many requests"), N_("You have done this too often in a short time. Wait a minute and try again.")),
    503: (N_("Temporarily unavailable"), N_("Part of the site is not working at the moment. Please try again later.")),
    500: (
        N_("Something went wrong"),
        N_("An error on our side stopped this request. It has been logged; please try again later."),
    ),
}


def error_response(request: Request, status: int, detail: str | None = None) -> Response:
    settings: Settings = request.app.state.settings
    i18n.set_locale(locale_for(request, settings.default_locale))
    title, message = ERROR_TEXT.get(status, ERROR_TEXT[400] if status < 500 else ERROR_TEXT[500])
    # Starlette's own details are the bare status phrase; ours are msgids worth showing.
    if detail and detail != http.HTTPStatus(status).phrase:
        message = detail
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"status": status, "message": i18n.gettext(message)}}, status)
    body = render(request, "errors.html", status=status, title=title, message=message)
    return HTMLResponse(body, status)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_response(request, exc.status_code, exc.detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500)


class BodyLimitMiddleware:
    """Refuse request bodies over `max_bytes` with the site's own 413 page.

    Starlette's built-in limit answers in plain English text; this one sits inside the session
    and language middleware so the refusal is a page in the reader's language. A declared
    Content-Length is refused before reading anything; a chunked body is counted as it arrives.
    """

    UPLOAD_SUFFIX = "/import"

    def __init__(self, app: ASGIApp, max_bytes: int, upload_bytes: int):
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes  # file uploads go to paths ending in /import

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_bytes if scope["path"].endswith(self.UPLOAD_SUFFIX) else self.max_bytes
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await error_response(Request(scope), 413)(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413)
            return message

        await self.app(scope, counting_receive, send)


# --- downloads ----------------------------------------------------------------------------------


def csv_download(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> Response:
    """A CSV file to save, the only way the site writes one: every cell is defused against formula
    injection. It starts with a BOM so spreadsheet programs read Chinese as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)  # a quoted ; or , cannot start a cell either
    writer.writerow(header)
    writer.writerows([defuse(cell) for cell in row] for row in rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def json_download(filename: str, data: Any) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False, indent=1),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
