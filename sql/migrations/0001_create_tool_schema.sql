-- 0001: the tool's own schema: migration records and the test-copy marker.
-- Forward-only: never edit an applied migration; add the next number instead.

CREATE SCHEMA misswitch;
COMMENT ON SCHEMA misswitch IS 'misswitch: migrations, runs, journal and conversion checks';

CREATE TABLE misswitch.migration (
    version    integer PRIMARY KEY,
    name       text        NOT NULL,
    checksum   text        NOT NULL,  -- SHA-256 of the file as compiled into the binary
    applied_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

-- One row when this database is a test copy (made by `restore`, or marked by
-- `init --test-copy`). `apply` without --live refuses a database without it.
CREATE TABLE misswitch.test_copy (
    singleton       boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    source_database text        NOT NULL,
    snapshot_hash   text,
    marked_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    marked_by       text        NOT NULL
);
