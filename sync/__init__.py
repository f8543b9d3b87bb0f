"""Everything that crosses the network: wire models, the client and the central server."""
