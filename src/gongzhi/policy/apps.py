from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "gongzhi.policy"
    label = "policy"
