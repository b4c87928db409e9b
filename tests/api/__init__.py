"""Tests of the wire protocols, without Home Assistant."""
