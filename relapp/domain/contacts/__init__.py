"""Customers: naming, editing, the list and its filters, rhythm, enrolment, bulk
actions, duplicates and merging, profiles, search, phones, privacy."""
