from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    verbose_name = "Hồ sơ"

    def ready(self) -> None:
        from motcua.dossiers.services.scans import dossiers_step_over_refresh
        from motcua.workdays.services import calendar_changed

        # A day made off or worked moves the instant a step runs over its budget.
        calendar_changed.connect(
            lambda **_kwargs: dossiers_step_over_refresh(), weak=False, dispatch_uid="step_over"
        )

    def warm_up(self) -> None:
        """Compiles the official forms' templates and the QR encoder before the first
        receipt needs them (``motcua serve`` calls this once at start)."""
        from motcua.dossiers.forms_docs.render import warm_up

        warm_up()
