-- Builds the second test platform (schema vle, see schema.sql beside this file) from a loaded
-- reference platform (schema platform, e.g. `misswitch gen`'s platform.sql), then drops the
-- reference schema. Account ids are kept, so gen's truth.csv holds for both shapes.
-- Run after sql/platform/linked/schema.sql.

INSERT INTO vle.establishment (establishment_id, title, la_code, estab_no, urn)
SELECT school_id, name, lea_code, dfe_number, urn FROM platform.school;

-- One person per account here (the reference platform has no person table).
INSERT INTO vle.person (person_id, establishment_id, given_name, family_name, birth_date, upn)
SELECT user_id, school_id, forename, surname, dob, upn FROM platform.users;

INSERT INTO vle.account (account_id, person_id, login, kind, secret, email, created, last_seen, active)
SELECT user_id, user_id, username,
       CASE user_type WHEN 'pupil' THEN 'learner' WHEN 'parent' THEN 'guardian'
                      ELSE coalesce(staff_role, 'staff') END,
       password_hash, email, created_at, last_login, NOT disabled
  FROM platform.users;

INSERT INTO vle.mis_link (account_id, source, external_id, linked_at)
SELECT user_id, mis_source, mis_id, created_at FROM platform.users WHERE mis_id IS NOT NULL;

INSERT INTO vle.guardianship SELECT parent_id, child_id, relationship FROM platform.parent_child;

INSERT INTO vle.cohort (cohort_id, establishment_id, short_code, title, cohort_type, year_label, source, external_id)
SELECT group_id, school_id, code, name, kind, academic_year, mis_source, mis_id FROM platform.groups;

INSERT INTO vle.cohort_member SELECT group_id, user_id FROM platform.group_members;

INSERT INTO vle.artefact (artefact_id, owner, type, name)
SELECT content_id, owner_id, kind, title FROM platform.content;

INSERT INTO vle.sync_job (establishment_id, cron, paused)
SELECT school_id, '0 ' || extract(hour FROM run_at) || ' * * ' || array_to_string(days, ','), NOT enabled
  FROM platform.importer_schedule;

SET client_min_messages = warning;
DROP SCHEMA platform CASCADE;
