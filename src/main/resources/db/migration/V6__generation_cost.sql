-- What Ideogram charged for a generation (usage_cost_usd_micros: millionths of a US dollar), from a
-- completed poll answer or a webhook body that carries it; NULL while unknown (v1 answers often
-- leave it out). Shown by GET /generations/{id} and in manifest.json. The same text serves H2 and
-- PostgreSQL; stores created before keep their rows, with NULL.
ALTER TABLE generation ADD COLUMN usage_cost_usd_micros BIGINT;
