"""drillbot: a Discord bot that runs a community's interview-prep program."""

__version__ = "0.1.0"
