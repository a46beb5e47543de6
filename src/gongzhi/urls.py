from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from gongzhi.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("roster/", include("gongzhi.roster.urls")),
    path("exports/", include("gongzhi.exports.urls")),
    path("votes/", include("gongzhi.voting.urls")),
    path("directives/", include("gongzhi.directives.urls")),
    path("topics/", include("gongzhi.deliberation.urls")),
    path("topics/", include("gongzhi.followup.urls")),
    path("appeals/", include("gongzhi.appeals.urls")),
    path("open311/v2/", include("gongzhi.open311.urls")),
    path("oversight/", include("gongzhi.oversight.urls")),
    path("notices/", include("gongzhi.notices.urls")),
    path("", include("gongzhi.web.urls")),
]
if settings.GONGZHI_BENCH_FLOOR:  # the benchmark's server only (gongzhi.core.bench_floor)
    from gongzhi.core.bench_floor import floor

    urlpatterns.insert(0, path("bench/floor", floor))  # type: ignore[arg-type]
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(  # type: ignore[arg-type]
        settings.MEDIA_URL, document_root=settings.MEDIA_ROOT
    )
