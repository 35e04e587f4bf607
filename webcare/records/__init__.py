"""Records and privacy: access log, archive export (MDTO), retention and destruction, residents' requests."""
