from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "gongzhi.appeals"
    label = "appeals"
