-- Providers other than Ideogram (issue "every provider through one pipeline"). Their generations
-- live in the generation table under the key "provider/id"; what that table cannot say lives here.
-- Applied once per database; never edit it: add V<n+1>__what.sql instead.

-- Deliveries a provider identifies apart from the generation (a Standard Webhooks webhook-id, an
-- HMAC relay's event id, an ImagineAPI update): a repeat is answered as a duplicate. A row is
-- written only after what the delivery said is committed, so a recorded id never hides work.
CREATE TABLE provider_delivery (
    provider        VARCHAR(32)   NOT NULL,
    delivery_id     VARCHAR(256)  NOT NULL,
    -- the generation the delivery was about (the store's key), null for an event without one
    generation_key  VARCHAR(256),
    -- the provider's event type or status as sent, a short token
    event_type      VARCHAR(64),
    received_at     BIGINT        NOT NULL,
    PRIMARY KEY (provider, delivery_id)
);

-- Retention forgets a generation's deliveries with it, and old events that named none.
CREATE INDEX provider_delivery_generation ON provider_delivery (generation_key);
CREATE INDEX provider_delivery_received ON provider_delivery (received_at);

-- Progress a provider reports before its result (ImagineAPI's pending and in-progress updates):
-- shown by GET /generations/{provider}/{id} until the generation itself is recorded.
CREATE TABLE provider_progress (
    generation_key  VARCHAR(256)  NOT NULL PRIMARY KEY,
    status          VARCHAR(32)   NOT NULL,
    -- percent, 0 to 100, when the provider says
    progress        INTEGER,
    updated_at      BIGINT        NOT NULL
);

-- Retention forgets progress whose generation never came, oldest first.
CREATE INDEX provider_progress_updated ON provider_progress (updated_at);
