"""Mandates: who (a role or a person) may send which replies (topic × risk × visibility) without approval."""
