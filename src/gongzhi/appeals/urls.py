from django.urls import path

from gongzhi.appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.my_appeals, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("new/", views.submit, name="submit"),
    path("<int:appeal_id>/", views.detail, name="detail"),
    path("<int:appeal_id>/act/<str:transition>/", views.act, name="act"),
    path("<int:appeal_id>/topic/", views.topic, name="topic"),
    path("board/<int:node_id>/", views.board, name="board"),
    path("holidays/", views.holidays, name="holidays"),
]
