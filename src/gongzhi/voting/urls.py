from django.urls import path

from gongzhi.voting import views

app_name = "voting"
urlpatterns = [
    path("", views.vote_list, name="list"),
    path("new/<int:node_id>/", views.vote_create, name="create"),
    path("<int:vote_id>/", views.vote_detail, name="detail"),
    path("<int:vote_id>/open/", views.vote_open, name="open"),
    path("<int:vote_id>/close/", views.vote_close, name="close"),
    path("<int:vote_id>/publish/", views.vote_publish, name="publish"),
    path("<int:vote_id>/cast/", views.ballot_cast, name="cast"),
    path("<int:vote_id>/mine/", views.my_receipts, name="mine"),
    path("<int:vote_id>/paper/", views.paper_entry, name="paper"),
    path("<int:vote_id>/proxies/", views.proxies, name="proxies"),
    path("<int:vote_id>/result/", views.result, name="result"),
    path("<int:vote_id>/notice/", views.notice, name="notice"),
    path("<int:vote_id>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("<int:vote_id>/screen/", views.screen, name="screen"),
    path("<int:vote_id>/lookup/", views.receipt_lookup, name="lookup"),
    path("<int:vote_id>/recount.json", views.recount_file, name="recount"),
]
