"""Regions of China (统计用区划代码): every province, city and county, Ganzhou down to villages."""
