"""Campaigns (issue 17): a segment turned into letters, emails, texts or a call list for the
customers who agreed to that channel, logged on their timelines, with what it brought."""
