-- 0014: findings of `load extract`: data problems in a well-formed file that still let its
-- records load (a UPN or former UPN with a wrong check letter, a date that is not a date — the
-- column stays NULL). Problems that would make matching unsafe (duplicate IDs, links to unknown
-- records) are not findings: they fail the load. Re-loading a school replaces its findings with
-- its load (ON DELETE CASCADE).

CREATE TABLE misswitch_staging.load_finding (
    load_id     bigint  NOT NULL REFERENCES misswitch_staging.extract_load ON DELETE CASCADE,
    source_file text    NOT NULL,
    line        integer,           -- line of the record or value in source_file
    kind        text    NOT NULL,  -- 'invalid-upn', 'invalid-value'
    detail      text    NOT NULL
);
CREATE INDEX ON misswitch_staging.load_finding (load_id);

COMMENT ON TABLE misswitch_staging.load_finding IS
    'misswitch: data problems found while loading an extract, by file and line';
