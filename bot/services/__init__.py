"""The domain: plain async functions over a database session. No Discord imports here."""
