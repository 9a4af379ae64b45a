"""Rendering of the official forms to DOCX (docxtpl) and PDF (WeasyPrint).

The DOCX templates under ``docx/`` are Word files that a province may edit (they are
generated once by ``build_templates``, then kept in the repository); the PDF is rendered
from the HTML templates under ``templates/`` with Django's template engine. Both read the
same typed context (``context.py``), so they print the same values.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2
import segno
from django.http import HttpResponse
from django.template import Context, Engine
from django.utils import translation
from django.utils.translation import gettext as _
from markupsafe import Markup, escape

from motcua.agencies.models import Agency
from motcua.core.documents import html_to_pdf, page_css
from motcua.dossiers.forms_docs import context as ctx
from motcua.dossiers.forms_docs.layout import CONTROL_SLIP_COLUMNS, REGISTER_COLUMNS
from motcua.dossiers.models import Dossier, Guidance

HERE = Path(__file__).resolve().parent
DOCX_DIR = HERE / "docx"
HTML_DIR = HERE / "templates"

Format = Literal["docx", "pdf"]

# TT 03/2025/TT-VPCP numbering (docs/forms.md).
FORMS: dict[str, str] = {
    "01": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "02": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "03": "Phiếu từ chối tiếp nhận, giải quyết hồ sơ",
    "04": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    "05": "Thông báo dừng giải quyết hồ sơ",
    "06": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "07": "Sổ theo dõi hồ sơ",
}

FormContext = (
    ctx.ReceiptContext
    | ctx.SupplementContext
    | ctx.RefusalContext
    | ctx.ApologyContext
    | ctx.StopContext
    | ctx.ControlSlipContext
    | ctx.RegisterContext
)

_BUILDERS: dict[str, Callable[..., FormContext]] = {
    "01": ctx.receipt_context,
    "02": ctx.supplement_context,
    "03": ctx.refusal_context,
    "04": ctx.apology_context,
    "05": ctx.stop_context,
    "06": ctx.control_slip_context,
}

_FORM_OF: dict[type, str] = {
    ctx.ReceiptContext: "01",
    ctx.SupplementContext: "02",
    ctx.RefusalContext: "03",
    ctx.ApologyContext: "04",
    ctx.StopContext: "05",
    ctx.ControlSlipContext: "06",
    ctx.RegisterContext: "07",
}

CONTENT_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def qr_png(data: str) -> bytes:
    """The QR code of ``data`` as a PNG (error correction M: survives a smudged print)."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def filename(form: str, code: str, fmt: Format) -> str:
    """'mau-01-000.00.19.H18-220829-0001.pdf' — ASCII, safe in a Content-Disposition."""
    return f"mau-{form}-{code}.{fmt}" if code else f"mau-{form}.{fmt}"


# Official documents are in Vietnamese whatever language the person printing them reads the
# interface in: the labels they print (units of time, kinds of copy, channels) have English
# translations for the screen.
@translation.override("vi")
def render_form(form: str, dossier: Dossier | None, *, fmt: Format, **extra: Any) -> bytes:
    """Render official form ``form`` ('01'…'07') for ``dossier`` as DOCX or PDF bytes.

    ``extra`` goes to the form's context builder (see ``context.py``): e.g. ``items`` and
    ``reason`` for 02, ``reason`` for 03 and 05, ``new_due_at`` for 04. Form 07 is a list
    and takes no dossier: pass ``unit``, ``dossiers``, ``date_from`` and ``date_to``.
    Raises ``ValueError`` (message in Vietnamese) when the form cannot be issued.
    """
    if form == "07":
        return render_register(fmt=fmt, **extra)
    if form not in _BUILDERS:
        raise ValueError(
            _("Không có mẫu %(form)s; các mẫu: %(forms)s.")
            % {"form": form, "forms": ", ".join(FORMS)}
        )
    if dossier is None:
        raise ValueError(_("Mẫu %(form)s cần một hồ sơ.") % {"form": form})
    return render_context(_BUILDERS[form](dossier, **extra), fmt=fmt)


@translation.override("vi")
def render_register(
    *,
    fmt: Format,
    unit: Agency,
    dossiers: Iterable[Dossier],
    date_from: dt.date,
    date_to: dt.date,
    issued_on: dt.date | None = None,
) -> bytes:
    """Form 07, the register, for the dossiers given, over [date_from, date_to]."""
    context = ctx.register_context(
        unit=unit, dossiers=dossiers, date_from=date_from, date_to=date_to, issued_on=issued_on
    )
    return render_context(context, fmt=fmt)


@translation.override("vi")
def render_guidance_sheet(guidance: Guidance, *, fmt: Format) -> bytes:
    """Form 02 as given at the counter for an incomplete dossier that was not received."""
    return render_context(ctx.guidance_sheet_context(guidance), fmt=fmt)


def render_context(context: FormContext, *, fmt: Format) -> bytes:
    """Render a ready context: the pure half of ``render_form``."""
    form = _FORM_OF[type(context)]
    if fmt == "docx":
        return _render_docx(form, context)
    if fmt == "pdf":
        return _render_pdf(form, context)
    raise ValueError(_("Định dạng không hỗ trợ: %(fmt)s (docx hoặc pdf).") % {"fmt": fmt})


def form_response(
    form: str, dossier: Dossier | None, *, fmt: Format, inline: bool = False, **extra: Any
) -> HttpResponse:
    """``render_form`` wrapped in an HTTP response with the right type and file name, for the
    staff views and the API (which check access first: ``dossier_for(user, code)``)."""
    data = render_form(form, dossier, fmt=fmt, **extra)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if inline and fmt == "pdf" else "attachment"
    name = filename(form, dossier.code if dossier is not None else "", fmt)
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # personal data (domain.md §12)
    return response


def _render_docx(form: str, context: FormContext) -> bytes:
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    template = DocxTemplate(DOCX_DIR / f"{form}.docx")
    values: dict[str, Any] = {"c": context}
    if isinstance(context, ctx.ReceiptContext):
        values["qr"] = InlineImage(template, io.BytesIO(qr_png(context.lookup_url)), width=Mm(22))
    # autoescape: names and reasons may hold '&' or '<', which would break the XML.
    template.render(values, jinja_env=docx_env(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _docx_line_breaks(text: object) -> Markup:
    """Jinja filter ``br``: a text typed on several lines keeps its breaks in Word (a bare
    newline inside ``w:t`` shows as a space)."""
    lines = [escape(line) for line in str(text).splitlines()] or [escape("")]
    return Markup('</w:t><w:br/><w:t xml:space="preserve">').join(lines)


@cache
def docx_env() -> jinja2.Environment:
    env = jinja2.Environment(autoescape=True)
    env.filters["br"] = _docx_line_breaks
    return env


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(HTML_DIR)], autoescape=True)


def warm_up() -> None:
    """Compiles every form's template (kept by the engine's cached loader) and encodes a
    QR code once."""
    for form in FORMS:
        _engine().get_template(f"{form}.html")
    qr_png("https://example.invalid/")


def render_html(context: FormContext) -> str:
    """The HTML from which the PDF is printed (also usable as a print preview)."""
    import base64

    form = _FORM_OF[type(context)]
    values: dict[str, Any] = {
        "c": context,
        "page_css": page_css(landscape=form == "07"),
        "columns": CONTROL_SLIP_COLUMNS if form == "06" else REGISTER_COLUMNS,
    }
    if isinstance(context, ctx.ReceiptContext):
        png = base64.b64encode(qr_png(context.lookup_url)).decode("ascii")
        values["qr_uri"] = f"data:image/png;base64,{png}"
    return _engine().get_template(f"{form}.html").render(Context(values))


def _render_pdf(form: str, context: FormContext) -> bytes:
    return html_to_pdf(render_html(context))
