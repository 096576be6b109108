"""A customer's history: the timeline list, its entries, and the dialogs that add to it."""
