"""Who the tests sign in as."""

PASSWORD = "correct horse battery"  # seed.factories.make_user default
