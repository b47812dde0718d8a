"""One cog per module: asking, and curating."""
