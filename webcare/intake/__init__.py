"""Intake: the three doors (JSONL, API, connectors), dedupe, dead letter, the queue and its worker."""
