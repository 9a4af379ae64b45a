from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    verbose_name = "Đánh giá, phản ánh kiến nghị"
