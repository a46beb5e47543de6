from django.urls import re_path

from gongzhi.open311 import views

# GeoReport v2 paths: the format is the extension (.json or .xml; another answers a 404 in JSON).
app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>[a-z]+)$", views.services, name="services"),
    re_path(
        r"^services/(?P<service_code>[\w-]+)\.(?P<fmt>[a-z]+)$", views.service_definition, name="service"
    ),
    re_path(r"^requests\.(?P<fmt>[a-z]+)$", views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/.]+)\.(?P<fmt>[a-z]+)$", views.request_detail, name="request"),
]
