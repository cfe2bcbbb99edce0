-- 0002: staging schemas. Loading only ever writes here, never the platform's own tables.

CREATE SCHEMA misswitch_staging;
COMMENT ON SCHEMA misswitch_staging IS 'misswitch: MIS extracts and the platform snapshot, as loaded';

-- One row per school section of a loaded extract. Re-loading a file replaces the earlier load
-- of the same school, role and format (deleting its row here deletes its rows everywhere: see
-- extract_load_cascade below) and nothing else.
--
-- The six extract_* tables are partitioned by load_id. `load extract` fills fresh tables without
-- indexes and attaches them as one partition per file (its school sections' load_ids): the
-- indexes are built once, sorted, instead of row by row into indexes that hold every other load
-- (docs/loader.md has the figures). Rows written by anything else (tests, the benchmark's
-- contenders) land in the DEFAULT partition, so the tables behave like plain tables to readers
-- and writers. There are no foreign keys to extract_load: the loader writes a load and its rows
-- in one transaction, and a per-row FK check cost more than the inserts it guarded.
CREATE TABLE misswitch_staging.extract_load (
    load_id     bigserial   PRIMARY KEY,
    role        text        NOT NULL CHECK (role IN ('new', 'old')),
    format      text        NOT NULL CHECK (format IN ('native', 'ctf', 'ims')),
    school_key  text        NOT NULL,           -- 'LEA/DfE', e.g. '801/2001'
    lea_code    text,
    dfe_number  text,
    urn         text,
    school_name text,
    mis_source  text        NOT NULL,           -- the MIS the IDs belong to, e.g. 'Arbor'
    source_file text        NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    UNIQUE (school_key, role, format)
);

CREATE TABLE misswitch_staging.extract_pupil (
    load_id            bigint NOT NULL,
    source_line        integer,
    mis_id             text   NOT NULL,
    upn                text,
    former_upns        text[] NOT NULL DEFAULT '{}',
    legal_forename     text,
    legal_surname      text,
    preferred_forename text,
    preferred_surname  text,
    dob                date,
    sex                text,
    year_group         text,
    reg_group          text,
    email              text,
    address_house      text,
    address_street     text,
    address_locality   text,
    address_town       text,
    address_postcode   text,
    PRIMARY KEY (load_id, mis_id)
) PARTITION BY LIST (load_id);
CREATE TABLE misswitch_staging.extract_pupil_default PARTITION OF misswitch_staging.extract_pupil DEFAULT;
CREATE INDEX ON misswitch_staging.extract_pupil (upn);

CREATE TABLE misswitch_staging.extract_staff (
    load_id            bigint NOT NULL,
    source_line        integer,
    mis_id             text   NOT NULL,
    staff_code         text,
    teacher_number     text,
    ni_number          text,
    title              text,
    legal_forename     text,
    legal_surname      text,
    preferred_forename text,
    preferred_surname  text,
    dob                date,
    sex                text,
    email              text,
    address_house      text,
    address_street     text,
    address_locality   text,
    address_town       text,
    address_postcode   text,
    roles              text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (load_id, mis_id)
) PARTITION BY LIST (load_id);
CREATE TABLE misswitch_staging.extract_staff_default PARTITION OF misswitch_staging.extract_staff DEFAULT;

CREATE TABLE misswitch_staging.extract_contact (
    load_id          bigint NOT NULL,
    source_line      integer,
    mis_id           text   NOT NULL,
    title            text,
    forename         text,
    surname          text,
    emails           text[] NOT NULL DEFAULT '{}',
    phones           text[] NOT NULL DEFAULT '{}',
    address_house    text,
    address_street   text,
    address_locality text,
    address_town     text,
    address_postcode text,
    PRIMARY KEY (load_id, mis_id)
) PARTITION BY LIST (load_id);
CREATE TABLE misswitch_staging.extract_contact_default PARTITION OF misswitch_staging.extract_contact DEFAULT;

CREATE TABLE misswitch_staging.extract_relationship (
    load_id                 bigint  NOT NULL,
    source_line             integer,
    contact_mis_id          text    NOT NULL,
    pupil_mis_id            text    NOT NULL,
    relationship            text,
    parental_responsibility boolean,
    priority                integer,
    PRIMARY KEY (load_id, contact_mis_id, pupil_mis_id)
) PARTITION BY LIST (load_id);
CREATE TABLE misswitch_staging.extract_relationship_default PARTITION OF misswitch_staging.extract_relationship DEFAULT;

CREATE TABLE misswitch_staging.extract_group (
    load_id       bigint NOT NULL,
    source_line   integer,
    mis_id        text   NOT NULL,
    code          text,
    name          text,
    kind          text,
    academic_year text,
    PRIMARY KEY (load_id, mis_id)
) PARTITION BY LIST (load_id);
CREATE TABLE misswitch_staging.extract_group_default PARTITION OF misswitch_staging.extract_group DEFAULT;

CREATE TABLE misswitch_staging.extract_membership (
    load_id       bigint NOT NULL,
    source_line   integer,
    group_mis_id  text   NOT NULL,
    member_mis_id text   NOT NULL,
    member_role   text,
    PRIMARY KEY (load_id, group_mis_id, member_mis_id)
) PARTITION BY LIST (load_id);
CREATE TABLE misswitch_staging.extract_membership_default PARTITION OF misswitch_staging.extract_membership DEFAULT;

-- Which partition (batch: the first load_id of the file that created it) holds each load's rows.
CREATE TABLE misswitch_staging.extract_partition (
    load_id bigint PRIMARY KEY,
    batch   bigint NOT NULL    -- the partitions are misswitch_staging.extract_*_<batch>
);
CREATE INDEX ON misswitch_staging.extract_partition (batch);

-- What ON DELETE CASCADE did, once per statement instead of once per row: the rows of deleted
-- loads go, and a batch whose loads are all gone is dropped whole (its partitions) rather than
-- emptied row by row.
CREATE FUNCTION misswitch.extract_load_cascade() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $fn$
DECLARE
    v_ids bigint[];
    v_batch bigint;
    v_table text;
BEGIN
    SELECT pg_catalog.array_agg(o.load_id) INTO v_ids FROM old_loads o;
    IF v_ids IS NULL THEN
        RETURN NULL;
    END IF;
    FOR v_batch IN
        WITH gone AS (DELETE FROM misswitch_staging.extract_partition p
                       WHERE p.load_id = ANY (v_ids) RETURNING p.batch)
        SELECT DISTINCT g.batch FROM gone g
         WHERE NOT EXISTS (SELECT FROM misswitch_staging.extract_partition p
                            WHERE p.batch = g.batch AND p.load_id <> ALL (v_ids))
    LOOP
        FOREACH v_table IN ARRAY ARRAY['extract_pupil', 'extract_staff', 'extract_contact',
                                       'extract_relationship', 'extract_group',
                                       'extract_membership'] LOOP
            EXECUTE pg_catalog.format('DROP TABLE IF EXISTS misswitch_staging.%I',
                                      v_table || '_' || v_batch);
        END LOOP;
    END LOOP;
    -- What is left: loads sharing a batch with a load that stays, and rows in the DEFAULT
    -- partitions (partition pruning keeps these deletes to the partitions that can hold them).
    DELETE FROM misswitch_staging.extract_pupil x WHERE x.load_id = ANY (v_ids);
    DELETE FROM misswitch_staging.extract_staff x WHERE x.load_id = ANY (v_ids);
    DELETE FROM misswitch_staging.extract_contact x WHERE x.load_id = ANY (v_ids);
    DELETE FROM misswitch_staging.extract_relationship x WHERE x.load_id = ANY (v_ids);
    DELETE FROM misswitch_staging.extract_group x WHERE x.load_id = ANY (v_ids);
    DELETE FROM misswitch_staging.extract_membership x WHERE x.load_id = ANY (v_ids);
    RETURN NULL;
END
$fn$;

CREATE TRIGGER extract_load_cascade AFTER DELETE ON misswitch_staging.extract_load
    REFERENCING OLD TABLE AS old_loads FOR EACH STATEMENT
    EXECUTE FUNCTION misswitch.extract_load_cascade();

-- The platform as `load platform` staged it through the profile's read queries. These rows are
-- "the values the snapshot showed": plans guard every change with them.
CREATE TABLE misswitch_staging.platform_load (
    singleton boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    source    text        NOT NULL,   -- the database the rows were read from
    profile   text        NOT NULL,   -- the profile that read them
    loaded_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE TABLE misswitch_staging.platform_school (
    school_id  text PRIMARY KEY,
    name       text,
    lea_code   text,
    dfe_number text,
    urn        text
);

CREATE TABLE misswitch_staging.platform_account (
    account_id   text        PRIMARY KEY,
    account_type text        NOT NULL CHECK (account_type IN ('pupil', 'staff', 'parent')),
    staff_role   text,                  -- e.g. 'teacher' or 'staff' for the two staff imports
    username     text,
    forename     text,
    surname      text,
    dob          date,
    email        text,
    upn          text,
    mis_source   text,
    mis_id       text,
    school_id    text,
    created_at   timestamptz,
    last_login   timestamptz,
    disabled     boolean     NOT NULL DEFAULT false
);
CREATE INDEX ON misswitch_staging.platform_account (upn);
CREATE INDEX ON misswitch_staging.platform_account (mis_source, mis_id);

CREATE TABLE misswitch_staging.platform_parent_link (
    parent_account text NOT NULL,
    child_account  text NOT NULL,
    relationship   text,
    PRIMARY KEY (parent_account, child_account)
);

CREATE TABLE misswitch_staging.platform_group (
    group_id      text PRIMARY KEY,
    school_id     text,
    code          text,
    name          text,
    kind          text,
    academic_year text,
    mis_source    text,
    mis_id        text
);

CREATE TABLE misswitch_staging.platform_membership (
    group_id   text NOT NULL,
    account_id text NOT NULL,
    PRIMARY KEY (group_id, account_id)
);

CREATE TABLE misswitch_staging.platform_content (
    account_id text   NOT NULL,
    kind       text   NOT NULL,
    items      bigint NOT NULL,
    PRIMARY KEY (account_id, kind)
);
