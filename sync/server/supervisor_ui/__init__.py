"""The supervisor screens: a separate Flet app talking to the review API with a supervisor's token.

Why a separate app rather than mounted in the server: the server stays a small headless
FastAPI process with no UI dependency (a district hub or a cloud VM runs it without Flet),
and the screens can only do what the supervisor's token allows through the same API and role
checks as any other client — there is no second, UI-only path to the data. Run it with
`python -m sync.server.supervisor_ui --server URL --token T` (web mode, `no_cdn=True`).
"""
