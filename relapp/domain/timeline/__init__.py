"""Each customer's history, follow-ups and cases, the Today list, retention figures."""
