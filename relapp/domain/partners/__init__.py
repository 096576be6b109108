"""Partner businesses (schema 20): the partners, the customers who came through them, their
code batches and the partner report's figures."""
