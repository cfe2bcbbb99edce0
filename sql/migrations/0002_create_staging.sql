-- 0002: staging schemas. Loading only ever writes here, never the platform's own tables.

CREATE SCHEMA misswitch_staging;
COMMENT ON SCHEMA misswitch_staging IS 'misswitch: MIS extracts and the platform snapshot, as loaded';

-- One row per school section of a loaded extract. Re-loading a file replaces the earlier load
-- of the same school, role and format (ON DELETE CASCADE below) and nothing else.
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
    load_id            bigint NOT NULL REFERENCES misswitch_staging.extract_load ON DELETE CASCADE,
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
);
CREATE INDEX ON misswitch_staging.extract_pupil (upn);

CREATE TABLE misswitch_staging.extract_staff (
    load_id            bigint NOT NULL REFERENCES misswitch_staging.extract_load ON DELETE CASCADE,
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
);

CREATE TABLE misswitch_staging.extract_contact (
    load_id          bigint NOT NULL REFERENCES misswitch_staging.extract_load ON DELETE CASCADE,
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
);

CREATE TABLE misswitch_staging.extract_relationship (
    load_id                 bigint  NOT NULL REFERENCES misswitch_staging.extract_load ON DELETE CASCADE,
    source_line             integer,
    contact_mis_id          text    NOT NULL,
    pupil_mis_id            text    NOT NULL,
    relationship            text,
    parental_responsibility boolean,
    priority                integer,
    PRIMARY KEY (load_id, contact_mis_id, pupil_mis_id)
);

CREATE TABLE misswitch_staging.extract_group (
    load_id       bigint NOT NULL REFERENCES misswitch_staging.extract_load ON DELETE CASCADE,
    source_line   integer,
    mis_id        text   NOT NULL,
    code          text,
    name          text,
    kind          text,
    academic_year text,
    PRIMARY KEY (load_id, mis_id)
);

CREATE TABLE misswitch_staging.extract_membership (
    load_id       bigint NOT NULL REFERENCES misswitch_staging.extract_load ON DELETE CASCADE,
    source_line   integer,
    group_mis_id  text   NOT NULL,
    member_mis_id text   NOT NULL,
    member_role   text,
    PRIMARY KEY (load_id, group_mis_id, member_mis_id)
);

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
