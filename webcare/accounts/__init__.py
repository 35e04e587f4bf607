"""Our own accounts on each channel: the addresses residents write to."""
