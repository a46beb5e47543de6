"""Deliberation and voting (issue 5). The counting path (tally, thresholds, recount) imports no Django, so the
offline recount `gongzhi tally` runs without settings or a database and with the same code as the web app."""
