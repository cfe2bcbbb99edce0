-- A second test platform, of a different shape from the reference one: people and their
-- accounts in separate tables, MIS links in a link table keyed by source (a relink is an
-- INSERT of the new source's link; the old link stays as history). It exists to prove that
-- nothing outside a profile names platform tables: the end-to-end tests run on both shapes,
-- this one through lua/rules/profiles/linked.lua.

CREATE SCHEMA vle;

CREATE TABLE vle.establishment (
    establishment_id integer PRIMARY KEY,
    title            text    NOT NULL,
    la_code          text    NOT NULL,
    estab_no         text    NOT NULL,
    urn              text
);

CREATE TABLE vle.person (
    person_id        bigint  PRIMARY KEY,
    establishment_id integer NOT NULL REFERENCES vle.establishment,
    given_name       text,
    family_name      text,
    birth_date       date,
    upn              text
);

CREATE TABLE vle.account (
    account_id bigint      PRIMARY KEY,
    person_id  bigint      NOT NULL REFERENCES vle.person,
    login      text        NOT NULL UNIQUE,
    kind       text        NOT NULL CHECK (kind IN ('learner', 'teacher', 'staff', 'guardian')),
    secret     text        NOT NULL,
    email      text,
    created    timestamptz NOT NULL,
    last_seen  timestamptz,
    active     boolean     NOT NULL DEFAULT true
);

-- One row per account and MIS: the newest link is the account's current one.
CREATE TABLE vle.mis_link (
    account_id  bigint      NOT NULL REFERENCES vle.account,
    source      text        NOT NULL,
    external_id text        NOT NULL,
    linked_at   timestamptz NOT NULL,
    PRIMARY KEY (account_id, source)
);

CREATE TABLE vle.guardianship (
    guardian_account bigint NOT NULL REFERENCES vle.account,
    learner_account  bigint NOT NULL REFERENCES vle.account,
    kind             text,
    PRIMARY KEY (guardian_account, learner_account)
);

CREATE TABLE vle.cohort (
    cohort_id        bigint  PRIMARY KEY,
    establishment_id integer NOT NULL REFERENCES vle.establishment,
    short_code       text    NOT NULL,
    title            text,
    cohort_type      text,
    year_label       text,
    source           text,
    external_id      text
);

CREATE TABLE vle.cohort_member (
    cohort_id  bigint NOT NULL REFERENCES vle.cohort,
    account_id bigint NOT NULL REFERENCES vle.account,
    PRIMARY KEY (cohort_id, account_id)
);

CREATE TABLE vle.artefact (
    artefact_id bigint PRIMARY KEY,
    owner       bigint NOT NULL REFERENCES vle.account,
    type        text   NOT NULL,
    name        text   NOT NULL
);

CREATE TABLE vle.sync_job (
    establishment_id integer PRIMARY KEY REFERENCES vle.establishment,
    cron             text    NOT NULL,
    paused           boolean NOT NULL DEFAULT false
);
