"""Tools for a real Home Assistant process with Call Bridge: the demo (scripts/develop) and e2e tests."""
