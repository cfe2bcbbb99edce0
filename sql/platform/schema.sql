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

-- The platform's own routine MIS import, as a VLE does it: for every person in an extract
-- (misswitch's native format, passed as `document`), update the account that carries its MIS ID, and create an
-- account for every record no account carries. Schools whose schedule is disabled (frozen) are
-- skipped unless forced. Run it on a new MIS's extract without misswitch and nearly everyone
-- gets a second account; run it after misswitch's apply and thaw and it creates accounts only for
-- the people the report said would get one.
CREATE TABLE platform.import_log (
    import_id  bigserial   PRIMARY KEY,
    school_id  integer     NOT NULL REFERENCES platform.school,
    ran_at     timestamptz NOT NULL DEFAULT now(),
    mis_source text        NOT NULL,
    skipped    boolean     NOT NULL,
    updated    integer     NOT NULL,
    created    integer     NOT NULL
);

CREATE PROCEDURE platform.run_import(document xml, forced boolean DEFAULT false)
LANGUAGE plpgsql
AS $$
DECLARE
    source  text := (xpath('/misswitch-extract/@mis', document))[1]::text;
    school  record;
    n_updated integer;
    n_created integer;
BEGIN
    FOR school IN
        SELECT s.school_id, x.section, coalesce(i.enabled, false) AS enabled
          FROM XMLTABLE('/misswitch-extract/school' PASSING document
                        COLUMNS lea text PATH '@lea', dfe text PATH '@dfe', section xml PATH '.') x
          JOIN platform.school s ON s.lea_code = x.lea AND s.dfe_number = x.dfe
          LEFT JOIN platform.importer_schedule i ON i.school_id = s.school_id
    LOOP
        IF NOT school.enabled AND NOT forced THEN
            INSERT INTO platform.import_log (school_id, mis_source, skipped, updated, created)
            VALUES (school.school_id, source, true, 0, 0);
            CONTINUE;
        END IF;

        CREATE TEMP TABLE import_person ON COMMIT DROP AS
        SELECT 'pupil'::text AS user_type, NULL::text AS staff_role, p.*
          FROM XMLTABLE('school/pupils/pupil' PASSING school.section
                        COLUMNS mis_id text PATH '@id', forename text PATH 'legal-forename',
                                surname text PATH 'legal-surname', dob date PATH 'dob',
                                email text PATH 'email', upn text PATH 'upn') p
        UNION ALL
        SELECT 'staff', 'teacher', s.*
          FROM XMLTABLE('school/staff/member' PASSING school.section
                        COLUMNS mis_id text PATH '@id', forename text PATH 'legal-forename',
                                surname text PATH 'legal-surname', dob date PATH 'dob',
                                email text PATH 'email', upn text PATH 'upn') s
        UNION ALL
        SELECT 'parent', NULL, c.*
          FROM XMLTABLE('school/contacts/contact' PASSING school.section
                        COLUMNS mis_id text PATH '@id', forename text PATH 'forename',
                                surname text PATH 'surname', dob date PATH 'dob',
                                email text PATH 'email[1]', upn text PATH 'upn') c;

        UPDATE platform.users u
           SET forename = p.forename, surname = p.surname, email = coalesce(p.email, u.email),
               dob = coalesce(p.dob, u.dob), upn = coalesce(p.upn, u.upn)
          FROM import_person p
         WHERE u.mis_source = source AND u.mis_id = p.mis_id AND u.school_id = school.school_id;
        GET DIAGNOSTICS n_updated = ROW_COUNT;

        INSERT INTO platform.users (school_id, user_type, staff_role, username, password_hash,
                                    forename, surname, dob, email, upn, mis_source, mis_id)
        SELECT school.school_id, p.user_type, p.staff_role,
               'mis-' || lower(source) || '-' || school.school_id || '-' || p.mis_id,
               'new-account', p.forename, p.surname, p.dob, p.email, p.upn, source, p.mis_id
          FROM import_person p
         WHERE NOT EXISTS (SELECT 1 FROM platform.users u
                            WHERE u.mis_source = source AND u.mis_id = p.mis_id
                              AND u.school_id = school.school_id);
        GET DIAGNOSTICS n_created = ROW_COUNT;

        INSERT INTO platform.import_log (school_id, mis_source, skipped, updated, created)
        VALUES (school.school_id, source, false, n_updated, n_created);
        DROP TABLE import_person;
    END LOOP;
END
$$;
