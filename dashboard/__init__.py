"""城市信用监测驾驶舱 — a city credit monitoring dashboard over a DuckDB warehouse."""
