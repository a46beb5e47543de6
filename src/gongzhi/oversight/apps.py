from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "gongzhi.oversight"
    label = "oversight"
