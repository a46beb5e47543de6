from django.apps import AppConfig


class FollowupConfig(AppConfig):
    """After the vote (issue 5 §4): implementation, residents' appraisal, filing, the success rate."""

    name = "gongzhi.followup"
    label = "followup"
