from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "motcua.core"
    verbose_name = "Lõi hệ thống"


class MotcuaAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with ``core.admin_site.MotcuaAdminSite`` as its site
    (named in INSTALLED_APPS; not this module's default config)."""

    default = False
    default_site = "motcua.core.admin_site.MotcuaAdminSite"
