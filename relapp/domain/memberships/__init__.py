"""Memberships (issue 19): plans a customer joins for a time, their status from dates, the
member's earn rate and perks, Today's lists and the members report's figures."""
