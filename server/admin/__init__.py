"""Running a provider: staff accounts, roles, leavers, passwords and tablets (issue 8)."""
