from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "gongzhi.exports"
    label = "exports"
