"""Test bundles: a good bundle made from a month of records, and ways to break it."""
