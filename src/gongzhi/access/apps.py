from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "gongzhi.access"
    verbose_name = _("access")

    def ready(self) -> None:
        from gongzhi.access import permissions

        permissions.register()
