"""Channels: our accounts, and the connectors that receive from and send to each platform."""
