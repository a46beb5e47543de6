from django.apps import AppConfig


class BodiesConfig(AppConfig):
    name = "gongzhi.bodies"
    label = "bodies"
