"""Product search: Elasticsearch 8 when configured, otherwise a SQL fallback engine."""
