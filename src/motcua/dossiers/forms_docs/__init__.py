"""The official forms 01-07 (TT 03/2025/TT-VPCP) as DOCX and PDF, in the ND 30/2020 layout.

Staff views and the API call ``render_form(form, dossier, fmt=...)``; see ``render.py``.
Imports are lazy so that ``build_templates`` runs without a configured Django.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from motcua.dossiers.forms_docs.render import (
        CONTENT_TYPES,
        FORMS,
        filename,
        form_response,
        render_context,
        render_form,
        render_guidance_sheet,
        render_register,
    )

__all__ = [
    "CONTENT_TYPES",
    "FORMS",
    "filename",
    "form_response",
    "render_context",
    "render_form",
    "render_guidance_sheet",
    "render_register",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from motcua.dossiers.forms_docs import render

        return getattr(render, name)
    raise AttributeError(name)
