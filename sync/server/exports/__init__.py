"""Exports of a form's submissions: ODK Central's CSV zip, XLSX, Stata and GeoJSON."""
