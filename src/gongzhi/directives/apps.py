from django.apps import AppConfig


class DirectivesConfig(AppConfig):
    name = "gongzhi.directives"
    label = "directives"
