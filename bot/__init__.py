"""FactBot: answers questions in Discord from curated facts, citing its sources."""

__version__ = "0.1.0"
