"""Root URL map: the admin, the JSON API, the staff application and the citizen portal."""

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from motcua.office.views import executive

admin.site.site_header = _("motcua — Quản trị hệ thống một cửa")
admin.site.site_title = _("motcua")
admin.site.index_title = _("Quản trị")

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("api/", include("motcua.api.urls")),
    path("can-bo/", include("motcua.office.urls")),
    path("dieu-hanh/", executive.executive, name="executive"),
    path("thu-phi/", include("motcua.fees.urls")),
    path("phan-anh/", include("motcua.feedback.urls")),
    path("danh-gia/", include("motcua.feedback.rating_urls")),
    path("", include("motcua.core.urls")),
    path("", include("motcua.portal.urls")),
]

# Error pages in the site's layout and language (core.errors); the 500 page is Django's
# handler with the self-contained templates/500.html, its inline style allowed by hash.
handler400 = "motcua.core.errors.bad_request"
handler403 = "motcua.core.errors.permission_denied"
handler404 = "motcua.core.errors.page_not_found"
handler500 = "motcua.core.errors.server_error"
