"""Users, roles, login and API tokens."""
