from django.apps import AppConfig


class RollupConfig(AppConfig):
    name = "motcua.rollup"
    verbose_name = "Số liệu tổng hợp theo ngày"
