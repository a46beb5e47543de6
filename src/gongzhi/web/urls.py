from django.contrib.auth import views as auth_views
from django.urls import path

from gongzhi.web import views

app_name = "web"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="web/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("tree/", views.tree_roots, name="tree"),
    path("tree/<int:node_id>/", views.node, name="node"),
    path("tree/<int:node_id>/policy/", views.node_policy, name="node_policy"),
    path("dwellings/", views.dwellings, name="dwellings"),
    path("dwellings/<int:dwelling_id>/", views.dwelling, name="dwelling"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("bodies/<int:body_id>/", views.body, name="body"),
    path("communities/<int:community_id>/compliance/", views.compliance, name="compliance"),
    path("account/tokens/", views.api_tokens, name="api_tokens"),
    path("me/", views.my_data, name="my_data"),
    path("account/security/", views.security, name="security"),
    path("account/verify/", views.second_factor, name="second_factor"),
    path("audit/", views.audit_search, name="audit_search"),
    path("history/<str:kind>/<int:object_id>/", views.history, name="history"),
]
