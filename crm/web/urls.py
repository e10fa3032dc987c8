from django.urls import path
from django.views.generic import RedirectView

app_name = "web"

urlpatterns = [
    path("", RedirectView.as_view(url="/customers/"), name="home"),
    path("login/", RedirectView.as_view(url="/admin/login/"), name="login"),
]
