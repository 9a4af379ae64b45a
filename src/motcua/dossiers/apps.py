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
