"""Pictures the bot posts, drawn with Pillow; nothing here imports discord."""
