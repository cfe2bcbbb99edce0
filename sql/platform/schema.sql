-- The reference platform: a small, realistic learning platform (VLE) schema that demos, tests
-- and benchmarks run against. misswitch itself never names these tables outside
-- lua/rules/profiles/reference.lua.

CREATE SCHEMA platform;

CREATE TABLE platform.school (
    school_id  serial PRIMARY KEY,
    name       text   NOT NULL,
    lea_code   text   NOT NULL,         -- local authority code, e.g. '801'
    dfe_number text   NOT NULL,         -- DfE establishment number, e.g. '2001'
    urn        text,                    -- unique reference number
    UNIQUE (lea_code, dfe_number)
);

-- Every account: pupils, staff (a 'teacher' and a 'staff' import may both exist for one
-- person) and parents/carers. mis_source + mis_id is the MIS record it was imported from.
CREATE TABLE platform.users (
    user_id       bigserial   PRIMARY KEY,
    school_id     integer     NOT NULL REFERENCES platform.school,
    user_type     text        NOT NULL CHECK (user_type IN ('pupil', 'staff', 'parent')),
    staff_role    text        CHECK (staff_role IN ('teacher', 'staff')),
    username      text        NOT NULL UNIQUE,
    password_hash text        NOT NULL,
    forename      text,
    surname       text,
    dob           date,
    email         text,
    upn           text,
    mis_source    text,
    mis_id        text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_login    timestamptz,
    disabled      boolean     NOT NULL DEFAULT false
);
-- Not unique: a platform's importer does not always enforce it, which is why misswitch checks it.
CREATE INDEX users_mis_link ON platform.users (mis_source, mis_id);

CREATE TABLE platform.parent_child (
    parent_id    bigint NOT NULL REFERENCES platform.users,
    child_id     bigint NOT NULL REFERENCES platform.users,
    relationship text,
    PRIMARY KEY (parent_id, child_id)
);

CREATE TABLE platform.groups (
    group_id      bigserial PRIMARY KEY,
    school_id     integer   NOT NULL REFERENCES platform.school,
    code          text      NOT NULL,
    name          text,
    kind          text,                 -- 'registration', 'class', 'year'
    academic_year text,
    mis_source    text,
    mis_id        text
);

CREATE TABLE platform.group_members (
    group_id bigint NOT NULL REFERENCES platform.groups,
    user_id  bigint NOT NULL REFERENCES platform.users,
    PRIMARY KEY (group_id, user_id)
);

-- Work people keep on the platform: what a duplicate account must never lose.
CREATE TABLE platform.content (
    content_id bigserial   PRIMARY KEY,
    owner_id   bigint      NOT NULL REFERENCES platform.users,
    kind       text        NOT NULL CHECK (kind IN ('page', 'file', 'site')),
    title      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX content_owner ON platform.content (owner_id);

-- The platform's own MIS importer schedule (System Preferences > MIS Importer > Schedule).
CREATE TABLE platform.importer_schedule (
    school_id integer   PRIMARY KEY REFERENCES platform.school,
    days      text[]    NOT NULL DEFAULT '{}',   -- e.g. {mon,tue,wed,thu,fri}
    run_at    time      NOT NULL DEFAULT '02:00',
    enabled   boolean   NOT NULL DEFAULT true
);
