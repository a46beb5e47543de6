from django.urls import path

from gongzhi.followup import views

app_name = "followup"
urlpatterns = [
    path("<int:topic_id>/followup/", views.followup_page, name="page"),
    path("<int:topic_id>/followup/appoint/", views.appoint, name="appoint"),
    path("<int:topic_id>/followup/appraise/", views.appraise, name="appraise"),
    path("<int:topic_id>/followup/<str:action>/", views.act, name="act"),
    path("<int:topic_id>/notice/", views.notice, name="notice"),
    path("<int:topic_id>/filing/acknowledge/", views.acknowledge, name="acknowledge"),
    path("filings/<int:node_id>/", views.filings, name="filings"),
    path("success/<int:node_id>/", views.success, name="success"),
]
