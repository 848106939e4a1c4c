"""Spreadsheet exports (CSV for Hungarian Excel, .xlsx): attendance, workshops, participation."""
