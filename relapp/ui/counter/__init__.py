"""The window at the counter: search, the customer on screen, sale, redeem, history."""
