"""One cog per feature: Discord glue only (commands, views, modals, listeners)."""
