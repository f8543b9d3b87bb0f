"""The Flet screens of the enumerator app: a thin shell over `fieldapp.interview`."""
