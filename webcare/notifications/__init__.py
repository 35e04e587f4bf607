"""Notifications to staff: in the app, and by e-mail over SMTP."""
