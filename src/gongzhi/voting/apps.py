from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "gongzhi.voting"
    label = "voting"
