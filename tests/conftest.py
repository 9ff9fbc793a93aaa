"""Session-wide fixtures. Real servers live in tests/servers/; each test module asks for its own."""
