from django.urls import path

from gongzhi.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:node_id>/dashboard/", views.node_dashboard, name="dashboard"),
    path("<int:node_id>/agenda/", views.street_agenda, name="agenda"),
]
