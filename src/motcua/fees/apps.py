from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "motcua.fees"
    label = "fees"
    verbose_name = "Phí, lệ phí và thanh toán"

    def ready(self) -> None:
        from motcua.dossiers.listeners import event_listener_register
        from motcua.dossiers.payment_gate import payment_gate_register
        from motcua.fees.services import fee_on_dossier_event, fee_paid_first

        # The fee is assessed when the dossier is submitted or received, in the event's
        # transaction; an online payment is refunded when the dossier is refused at intake.
        event_listener_register("fees", fee_on_dossier_event)
        # A procedure whose fee is paid before processing waits after receipt (issue 17).
        payment_gate_register(fee_paid_first)
