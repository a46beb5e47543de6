from django.urls import path

from gongzhi.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.topic_list, name="list"),
    path("new/<int:node_id>/", views.topic_create, name="create"),
    path("<int:topic_id>/", views.topic_detail, name="detail"),
    path("<int:topic_id>/step/", views.topic_advance, name="advance"),
    path("<int:topic_id>/decide/", views.topic_decide, name="decide"),
    path("<int:topic_id>/meetings/new/", views.meeting_schedule, name="meeting_new"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:meeting_id>/sign-in/", views.meeting_sign_in, name="sign_in"),
    path("meetings/<int:meeting_id>/join/", views.meeting_join, name="join"),
    path("meetings/<int:meeting_id>/post/", views.meeting_post, name="post"),
    path("meetings/<int:meeting_id>/minutes/", views.meeting_minutes, name="minutes"),
    path("meetings/<int:meeting_id>/attach/", views.meeting_attach, name="attach"),
    path("must-deliberate/<int:node_id>/", views.catalogue, name="catalogue"),
]
