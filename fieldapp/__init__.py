"""What runs on the tablet: the Flet UI, the on-device store and the sync agent."""
