from django.apps import AppConfig


class TreeConfig(AppConfig):
    name = "gongzhi.tree"
    label = "tree"
