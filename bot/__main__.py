"""`python -m bot` runs the bot, like `drillbot run`."""

from bot.cli import main

raise SystemExit(main())
