"""The pages every public site needs: the accessibility statement, the privacy policy, the terms
of participation and moderation rules, and help for each kind of user.

Their long texts are legal and explanatory prose, written whole in each language rather than cut
into catalog strings: one template per page and language, ``templates/core/pages/<page>.<locale>
.html`` (English and Traditional Chinese). A language without its own text (vi, id, th) reads
the English one, marked ``lang="en"``, under a line in the reader's language saying so. Only the
interface around them, the title, that line and the operator's contact box, goes through the
catalogs like every other page. The operator who deploys thinktank names itself and its contact
address in settings (OPERATOR_NAME, OPERATOR_EMAIL); the texts refer to that box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core import i18n
from core.errors import N_
from core.web import Ctx, page

WRITTEN_IN = ("en", "zh_TW")  # the languages each page's text is written in; the first is the fallback

PAGES = {
    "accessibility": N_("Accessibility statement"),
    "privacy": N_("Privacy policy"),
    "terms": N_("Terms of participation and moderation rules"),
    "help": N_("Help"),
}


def body_for(name: str, locale: str) -> tuple[str, str]:
    """The template holding the page's text for `locale`, and the language it is written in."""
    written = locale if locale in WRITTEN_IN else WRITTEN_IN[0]
    return f"core/pages/{name}.{written}.html", written


def _show(name: str) -> Callable[[Request], Any]:
    def show(ctx: Ctx) -> Response:
        locale = i18n.get_locale()
        body, written = body_for(name, locale)
        return ctx.render(
            "core/page.html",
            title=PAGES[name],
            body=body,
            body_lang=i18n.html_lang(written) if written != locale else "",
            operator_name=ctx.settings.operator_name,
            operator_email=ctx.settings.operator_email,
        )

    show.__name__ = name
    return page(show)


routes = [Route(f"/{name}", _show(name), name=f"core:{name}") for name in PAGES]
