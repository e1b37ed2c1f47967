"""Test helpers (databases, fakes, clocks, signed-in clients) kept out of the production packages:
nothing under config/, records/, engine/ or the adapters imports pytest or these modules."""
