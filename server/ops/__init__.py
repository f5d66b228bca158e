"""Running a provider's Careloop: backups, retention and subject access."""
