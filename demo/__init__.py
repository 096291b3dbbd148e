"""`drillbot demo`: the real bot, unmodified, against the local Discord stand-in, playing one compressed program."""
