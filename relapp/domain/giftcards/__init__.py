"""Gift cards and their stored value: codes, the ledger's rules, what is owed."""
