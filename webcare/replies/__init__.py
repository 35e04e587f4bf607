"""Replies: drafting under a mandate, four-eyes approval, and the outbox that sends them."""
