"""The engine: the Mesa model and the story of its round (model.py), how a forum opens and who
comes to it (opening.py), the round compiled whole (fastround.py), what every run of a scenario
shares (setting.py), forums' decision rules (forums.py), texts in forums (tracks.py) and who
takes part (attendance.py). The behaviour it calls lives in agents/."""
