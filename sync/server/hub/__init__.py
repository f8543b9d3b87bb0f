"""District hubs: forwarding to the central server exactly once, the district's users kept
offline, and what the central server trusts a hub with."""
