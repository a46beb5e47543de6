from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "gongzhi.open311"
    label = "open311"
