"""Excel writing shared by every app's exports (a library, not a Django app)."""
