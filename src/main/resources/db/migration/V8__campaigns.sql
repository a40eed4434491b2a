-- Campaigns (issue 15): one POST /campaigns asks for every product in every format at once. Each
-- product x format is a plain submission (QUEUED, sent by the dispatcher within the in-flight
-- budget); these tables only remember which submissions form a campaign and when it ended.
-- Applied once per database; never edit it: add V<n+1>__what.sql instead.

CREATE TABLE campaign (
    -- c and URL-safe base64 of 16 random bytes: unguessable, like a queued id
    campaign_id     VARCHAR(64)   NOT NULL PRIMARY KEY,
    name            VARCHAR(200)  NOT NULL,
    -- the caller's own metadata (a JSON object of strings, compact), copied into every request
    metadata        TEXT,
    -- every request carries it too; kept here so GET shows what the caller sent
    callback_url    VARCHAR(2048),
    -- the caller's Idempotency-Key header, if any: a repeat with the same body gets the same answer
    idempotency_key VARCHAR(256)  UNIQUE,
    -- sha256 (hex) of the validated, expanded campaign: tells a repeat from a different body
    request_sha256  VARCHAR(64)   NOT NULL,
    request_count   INTEGER       NOT NULL CHECK (request_count > 0),
    created_at      BIGINT        NOT NULL,
    -- set once, by the transaction that ended the last request (and wrote campaign.completed)
    completed_at    BIGINT
);
-- GET /campaigns: newest first
CREATE INDEX campaign_created ON campaign (created_at, campaign_id);

-- One row per request of a campaign, in the order they were queued. No foreign key to submission:
-- store retention forgets old submissions on its own schedule.
CREATE TABLE campaign_request (
    campaign_id     VARCHAR(64)   NOT NULL REFERENCES campaign (campaign_id) ON DELETE CASCADE,
    position        INTEGER       NOT NULL CHECK (position >= 0),
    product         VARCHAR(200)  NOT NULL,
    format          VARCHAR(64)   NOT NULL,
    -- unique: the end of a submission finds its campaign through this index
    queued_id       VARCHAR(64)   NOT NULL UNIQUE,
    PRIMARY KEY (campaign_id, position)
);
