-- The archive backlog gauge asks "the oldest RECEIVED row" every few seconds: state first, then
-- received_at, so MIN(received_at) reads the first entry of the range instead of every RECEIVED row.
CREATE INDEX generation_state_received ON generation (state, received_at);
