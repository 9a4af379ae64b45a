from django.apps import AppConfig


class RollupConfig(AppConfig):
    name = "motcua.rollup"
    verbose_name = "Số liệu tổng hợp theo ngày"

    def ready(self) -> None:
        from motcua.dossiers.listeners import SaveListener, save_listener_register
        from motcua.rollup.services import (
            rollup_apply,
            rollup_marks,
            rollup_rebuild_since,
            rollup_state,
            touches_rollup,
        )

        # The rollup follows every dossier save of the columns it counts, in its transaction.
        save_listener_register(
            "rollup",
            SaveListener(
                touches=touches_rollup,
                state=rollup_state,
                marks=rollup_marks,
                refresh=rollup_apply,
                imported=rollup_rebuild_since,
            ),
        )
