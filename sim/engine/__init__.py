"""The engine: the Mesa model and its round (model.py), the round compiled whole
(fastround.py), what every run of a scenario shares (setting.py), forums' decision rules
(forums.py), texts in forums (tracks.py) and who takes part (attendance.py). The behaviour
it calls lives in agents/."""
