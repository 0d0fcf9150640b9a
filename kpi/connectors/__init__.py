"""Connected sources (SOURCES §4): each platform's client in a module of its own (`ga4.py`,
`facebook.py`), what they share in `base.py`, secrets in `secrets.py`, and one sync in `sync.py`."""
