from django.urls import path

from gongzhi.roster import views

app_name = "roster"
urlpatterns = [
    path("", views.import_page, name="import"),
    path("template.xlsx", views.template_download, name="template"),
    path("jobs/<int:job_id>/", views.job_page, name="job"),
    path("jobs/<int:job_id>/status/", views.job_status, name="job_status"),
    path("export/<int:community_id>/", views.export, name="export"),
]
