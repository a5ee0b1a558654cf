-- 0015 indexes found by `make bench` (800 agents, 200 000 RDVs):
-- an agent's RDVs in a window (agenda, warnings, lists by agent) read agents_rdvs by
-- agent and start — the GiST index only serves active rows and range overlap.
CREATE INDEX IF NOT EXISTS agents_rdvs_agent_start ON agents_rdvs (agent_id, starts_at);
