"""Output formats: one module each (JSON, terminal summary)."""
