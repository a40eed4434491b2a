-- Which Ideogram API this store's requests go to. A queued request carries no URL of its own: a
-- store filled against the demo's stand-in and then started against the real API (or the reverse)
-- would send its queue, and its polls with the API key, to the wrong place. One row, written the
-- first time the bundle may call Ideogram; a bundle configured with another URL sends nothing until
-- ideogram.allow-api-url-change=true records the new one.
CREATE TABLE store_identity (
    -- always 1: the table holds one row
    id          INTEGER       NOT NULL PRIMARY KEY CHECK (id = 1),
    -- ideogram.api-url normalised: scheme://host:port/path, never userinfo, query or fragment
    api_url     VARCHAR(2048) NOT NULL,
    -- epoch milliseconds of the instance that recorded it (informational)
    recorded_at BIGINT        NOT NULL
);
