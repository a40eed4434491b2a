-- Web-ready sizes of each stored image (og, thumb, social...), one row per image and variant. A row
-- means the variant is done: STORED under object_key, or FAILED with a fixed reason (the source
-- would not decode, it was too large, no encoder) so a re-run skips it either way. The spec columns
-- say what it was made with: a changed setting makes it due again on POST /generations/{id}/variants.
-- Applied once per database; never edit it: add V<n+1>__what.sql instead.
CREATE TABLE generation_variant (
    generation_id   VARCHAR(256)  NOT NULL,
    image_index     INTEGER       NOT NULL CHECK (image_index >= 0),
    -- the name in variants.names
    variant         VARCHAR(64)   NOT NULL,
    outcome         VARCHAR(16)   NOT NULL CHECK (outcome IN ('STORED', 'FAILED')),
    object_key      VARCHAR(1024),
    content_type    VARCHAR(255),
    -- the spec it was made with
    width           INTEGER       NOT NULL CHECK (width > 0),
    height          INTEGER       NOT NULL CHECK (height > 0),
    format          VARCHAR(16)   NOT NULL,
    quality         INTEGER       NOT NULL CHECK (quality BETWEEN 0 AND 100),
    size_bytes      BIGINT,
    -- lower-case hex
    sha256          VARCHAR(64),
    -- a fixed token such as undecodable or too_large, never exception text
    failure_reason  VARCHAR(64),
    recorded_at     BIGINT        NOT NULL,
    PRIMARY KEY (generation_id, image_index, variant),
    FOREIGN KEY (generation_id, image_index) REFERENCES generation_image (generation_id, image_index) ON DELETE CASCADE
);
