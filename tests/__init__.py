"""Unit tests of the analysis package."""
