"""Taking submissions in: reading an instance, storing it exactly once with its attachments,
the rows derived from it, and imports from a folder or a zip."""
