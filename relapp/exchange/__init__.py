"""Customers in and out: CSV and vCard import and export. No Qt here (a test checks)."""
