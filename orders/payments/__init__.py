"""Payments: Stripe (card / Alipay / WeChat Pay in CNY) or offline methods."""
