"""The server's HTTP interface: the batch API of our client, OpenRosa for ODK Collect, the
review, export and report routes, and what every request passes (tokens, limits, headers)."""
