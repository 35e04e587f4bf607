from tests.protocol.conftest import gemeente, minimal, varied_minimal  # noqa: F401  (the protocol fixtures)
