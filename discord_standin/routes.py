"""The API prefix the fake serves, and the route patterns more than one module of it uses."""

API = "/api/v10"
CHANNEL = API + "/channels/{channel_id:\\d+}"
