"""Data tables of the demo and the large provider, kept apart from the code that writes
them."""
