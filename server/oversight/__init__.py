"""What managers and provider leaders oversee: early warnings and review cadence."""
