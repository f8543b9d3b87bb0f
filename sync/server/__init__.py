"""The central server (and district hub): FastAPI app, storage, OpenRosa and the batch API."""
