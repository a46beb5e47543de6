from django.urls import path

from gongzhi.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("awaiting/", views.awaiting, name="awaiting"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/approve/", views.approve, name="approve"),
    path("<int:request_id>/reject/", views.reject, name="reject"),
    path("<int:request_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:request_id>/download/", views.download, name="download"),
]
