"""The loyalty program: points at the counter, the ledger and its lots, sales and
refunds, the program's setup, progress, cards and the daily round."""
