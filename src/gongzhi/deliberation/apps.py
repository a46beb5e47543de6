from django.apps import AppConfig


class DeliberationConfig(AppConfig):
    name = "gongzhi.deliberation"
    label = "deliberation"
