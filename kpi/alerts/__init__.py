"""Alerts (SPEC §6): what is set in chat (grammar.py), how each kind is judged on the data
(judge.py), and what one check of a team finds and may post (check.py).

Nothing is imported here: the command grammar imports grammar.py, and the rest imports the
engine, so each module is imported by name.
"""
