from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "motcua.workdays"
    verbose_name = "Lịch làm việc"

    def warm_up(self) -> None:
        """Computes the holiday calendar before the first request needs it (``motcua serve``
        calls this once at start)."""
        from motcua.workdays.calendar import get_calendar

        get_calendar()
