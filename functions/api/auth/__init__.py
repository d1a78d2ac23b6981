"""Authentication and permissions of the API: who is calling (identity), what they may do
(callers, with SJS's permission names from infra/permissions.py) and the check each route declares
(guard). `python -m functions.api.auth` makes the hashes the server config stores."""
