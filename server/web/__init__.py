"""The floor app (pwa/) served by Flask at /."""
