"""What the tests share: fixtures, factories and helpers. Test modules import from here,
never from one another (tests/test_layout.py holds that)."""
