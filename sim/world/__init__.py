"""The world and its record, read from scenarios/data/: the roster of states and groups
with their networks (roster.py), the mapping of indicators to each state's starting values
(profiles.py), and the record of votes, endorsements and blocks (record/)."""
