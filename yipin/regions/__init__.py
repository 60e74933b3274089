"""Regions of China (统计用区划代码): every province, city and county, and the platform's region
down to the village (bundled for 赣州市; ``flask regions load FILE…`` adds another's)."""
