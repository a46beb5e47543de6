from django.urls import path

from gongzhi.directives import views

app_name = "directives"
A = "<int:directive_id>/assignments/<int:assignment_id>"
urlpatterns = [
    path("", views.directive_list, name="list"),
    path("new/<int:node_id>/", views.directive_create, name="create"),
    path("<int:directive_id>/", views.directive_detail, name="detail"),
    path("<int:directive_id>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path(f"{A}/acknowledge/", views.assignment_acknowledge, name="acknowledge"),
    path(f"{A}/split/", views.assignment_split, name="split"),
    path(f"{A}/progress/", views.assignment_progress, name="progress"),
    path(f"{A}/complete/", views.assignment_complete, name="complete"),
    path("access-list/<int:node_id>/", views.access_list, name="access_list"),
    path("reports/dispatch/", views.report_dispatch, name="dispatch"),
    path("reports/assessment/", views.report_assessment, name="assessment"),
]
