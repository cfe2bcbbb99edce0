-- 0014: findings of `load extract`: data problems in a well-formed file that still let its
-- records load (a UPN or former UPN with a wrong check letter, a date that is not a date — the
-- column stays NULL). Problems that would make matching unsafe (duplicate IDs, links to unknown
-- records) are not findings: they fail the load. Re-loading a school replaces its findings with
-- its load: deleting a row of extract_load deletes its findings (a statement-level trigger, like
-- the extract_* tables' in 0002: no per-row foreign-key checks while loading).

CREATE TABLE misswitch_staging.load_finding (
    load_id     bigint  NOT NULL,
    source_file text    NOT NULL,
    line        integer,           -- line of the record or value in source_file
    kind        text    NOT NULL,  -- 'invalid-upn', 'invalid-value'
    detail      text    NOT NULL
);
CREATE INDEX ON misswitch_staging.load_finding (load_id);

COMMENT ON TABLE misswitch_staging.load_finding IS
    'misswitch: data problems found while loading an extract, by file and line';

CREATE FUNCTION misswitch.load_finding_cascade() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
BEGIN
    DELETE FROM misswitch_staging.load_finding f USING old_loads o WHERE f.load_id = o.load_id;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER load_finding_cascade AFTER DELETE ON misswitch_staging.extract_load
    REFERENCING OLD TABLE AS old_loads FOR EACH STATEMENT
    EXECUTE FUNCTION misswitch.load_finding_cascade();
