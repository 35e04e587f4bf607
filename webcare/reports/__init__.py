"""Response-time reports: metric definitions, database aggregation, exports, the reports page and digest."""
