from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "motcua.portal"
    verbose_name = "Cổng công dân"

    def ready(self) -> None:
        from motcua.feedback.views import citizen_contact_reader_register
        from motcua.portal.queries import citizen_contact

        # The PAKN form of a signed-in citizen is prefilled from the account (portal's).
        citizen_contact_reader_register(citizen_contact)
