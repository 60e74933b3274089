"""Reports (报表): rollups of the sales ledger, bureau reports and KPIs, reward policies and their
computation, supplier settlement. See README.md for the decisions."""
