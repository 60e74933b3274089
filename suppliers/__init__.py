"""Suppliers (合作社 / 家庭农场 / 企业), their staff, verification and brand authorisations."""
