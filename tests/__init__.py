"""Tests of the Call Bridge integration."""
