-- The generation store: one row per Ideogram generation for its whole life.
-- Runs at every start and must stay idempotent, hence IF NOT EXISTS everywhere.
-- The same text serves H2 2.x and PostgreSQL: TEXT is unbounded on PostgreSQL and a
-- 1,000,000,000-character VARCHAR on H2 (not a LOB), BIGINT epoch milliseconds compare the same on
-- both without time-zone rules.
-- The loader splits statements on semicolons and drops comments: keep both out of the SQL text.

CREATE TABLE IF NOT EXISTS generation (
    -- Ideogram's id (URL-safe base64), the idempotency key of every delivery and poll
    generation_id   VARCHAR(256) NOT NULL PRIMARY KEY,
    -- every transition is one UPDATE guarded by the expected state, so the values are fixed here
    state           VARCHAR(16)  NOT NULL
                    CHECK (state IN ('QUEUED', 'SUBMITTED', 'RECEIVED', 'ARCHIVED', 'FAILED')),
    -- webhook or poll: how the result arrived, written into the manifest
    source          VARCHAR(16),
    -- Ideogram's created value, as sent
    created         VARCHAR(256),
    -- the delivery's data[] as compact JSON, bounded by the 1 MiB body limit in practice
    images          TEXT,
    -- why the row is FAILED, or the last transient error while it is retried
    error           TEXT,
    -- failed attempts of the current step, for backoff and giving up
    attempts        INTEGER      NOT NULL DEFAULT 0,
    -- a claim on the row by one worker (instance and thread) until lease_until, so a crashed
    -- worker's row is taken over once its lease lapses
    lease_owner     VARCHAR(128),
    lease_until     BIGINT,
    -- the timers (poll, archive re-drive) take a row from this time on
    next_attempt_at BIGINT,
    -- when it was submitted from here: SUBMITTED expires 24 h after this
    submitted_at    BIGINT,
    received_at     BIGINT,
    updated_at      BIGINT       NOT NULL
);

-- The timers ask "rows in state S due by now": state first, then the due time as a range.
CREATE INDEX IF NOT EXISTS generation_state_next_attempt ON generation (state, next_attempt_at);

-- What the archiver has done with each image of a RECEIVED generation, written as it goes, so a
-- re-run after a crash skips the images already stored and each object is written at most once
-- more. Rows are kept when the generation ends ARCHIVED or FAILED: they are the manifest's source
-- and the list of stored keys.
CREATE TABLE IF NOT EXISTS generation_image (
    generation_id   VARCHAR(256)  NOT NULL REFERENCES generation (generation_id) ON DELETE CASCADE,
    -- position in the delivery's data[], the number in the object key
    image_index     INTEGER       NOT NULL CHECK (image_index >= 0),
    -- STORED: the object is in the bucket (or folder) under object_key. REFUSED: deliberately not
    -- fetched (unsafe image, disallowed host), listed in the manifest with refused_reason
    outcome         VARCHAR(16)   NOT NULL CHECK (outcome IN ('STORED', 'REFUSED')),
    -- S3 keys are at most 1024 bytes
    object_key      VARCHAR(1024),
    content_type    VARCHAR(255),
    size_bytes      BIGINT,
    -- lower-case hex
    sha256          VARCHAR(64),
    -- a fixed token such as unsafe_image, never exception text
    refused_reason  VARCHAR(64),
    recorded_at     BIGINT        NOT NULL,
    PRIMARY KEY (generation_id, image_index),
    CHECK ((outcome = 'STORED' AND object_key IS NOT NULL) OR (outcome = 'REFUSED' AND refused_reason IS NOT NULL))
);

-- Added with submission and polling; ALTER so stores created before keep working.
-- The submission a generation came from (null when it arrived by webhook without one).
ALTER TABLE generation ADD COLUMN IF NOT EXISTS queued_id VARCHAR(64);
-- Images asked for: while the row is SUBMITTED they take places in the in-flight budget.
ALTER TABLE generation ADD COLUMN IF NOT EXISTS image_count INTEGER;

-- POST /generations: one row per accepted request, from arrival until Ideogram has answered it.
-- A request waits here (QUEUED) while the in-flight image budget is full, and leaves SENT with the
-- generation_id Ideogram gave it. A request is never sent twice: a send whose outcome is unknown
-- (timeout, crash mid-call) ends UNKNOWN, for a person to look at, not for a blind retry.
CREATE TABLE IF NOT EXISTS submission (
    -- the id the caller holds before Ideogram has given one (URL-safe base64, random)
    queued_id       VARCHAR(64)   NOT NULL PRIMARY KEY,
    -- the caller's Idempotency-Key header, if any: a repeat gets the first answer
    idempotency_key VARCHAR(256)  UNIQUE,
    -- the validated generate request, compact JSON, sent as the body
    request         TEXT          NOT NULL,
    image_count     INTEGER       NOT NULL CHECK (image_count > 0),
    state           VARCHAR(16)   NOT NULL
                    CHECK (state IN ('QUEUED', 'SENDING', 'SENT', 'FAILED', 'UNKNOWN')),
    generation_id   VARCHAR(256),
    -- a fixed token (insufficient_funds, prompt_rejected, submit_outcome_unknown...), never exception text
    error           VARCHAR(64),
    -- sends refused with 429 or not connected, for backoff
    attempts        INTEGER       NOT NULL DEFAULT 0,
    -- a QUEUED row is not sent before this (Retry-After); arrival order is kept all the same
    next_attempt_at BIGINT,
    -- the worker sending it (SENDING): a lapsed lease means the worker died mid-call
    lease_owner     VARCHAR(128),
    lease_until     BIGINT,
    -- the first answer given to the caller, returned again for a repeated Idempotency-Key
    answer_status   INTEGER,
    answer_body     TEXT,
    created_at      BIGINT        NOT NULL,
    updated_at      BIGINT        NOT NULL
);

-- The dispatcher reads the head of the queue and the sends in progress: state, then arrival.
CREATE INDEX IF NOT EXISTS submission_state_created ON submission (state, created_at);

-- Whoever decides that a submission may be sent holds this row's lock for the decision, so two
-- instances never both spend the last places of the budget.
CREATE TABLE IF NOT EXISTS submit_budget (
    id              INTEGER       NOT NULL PRIMARY KEY CHECK (id = 1)
);

INSERT INTO submit_budget (id) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM submit_budget WHERE id = 1)
