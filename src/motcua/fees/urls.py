from django.urls import path

from motcua.fees import views

app_name = "fees"

urlpatterns = [
    path("so-thu/", views.cash_book, name="cash_book"),
    path("doi-soat/", views.reconcile_upload, name="reconcile"),
    path("ho-so/<str:code>/thu/", views.collect, name="collect"),
    path("ho-so/<str:code>/tinh-lai/", views.assess, name="assess"),
    path("ho-so/<str:code>/thanh-toan/", views.pay_online, name="pay_online"),
    path("ho-so/<str:code>/bien-lai/<int:pk>/huy/", views.void, name="void"),
    path("ho-so/<str:code>/bien-lai/<int:pk>.pdf", views.receipt, name="receipt_pdf"),
]
