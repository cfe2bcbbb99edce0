-- PostgreSQL's own XMLTABLE over the whole file: one parse into an xml value, one INSERT ... SELECT
-- per staging table (one school section). Run with psql -v file=ABSOLUTE_PATH. Needs superuser
-- (pg_read_file); fails for files over 1 GB (text/xml values are capped at 1 GB).
\set ON_ERROR_STOP 1
BEGIN;
DELETE FROM misswitch_staging.extract_load WHERE format = 'native' AND role = 'new';
CREATE TEMP TABLE doc ON COMMIT DROP AS SELECT XMLPARSE(DOCUMENT pg_catalog.convert_from(pg_catalog.pg_read_binary_file(:'file'), 'UTF8')) AS x;
CREATE TEMP TABLE l ON COMMIT DROP AS
WITH s AS (SELECT t.* FROM doc, XMLTABLE('/misswitch-extract/school' PASSING doc.x COLUMNS lea text PATH '@lea', dfe text PATH '@dfe', urn text PATH '@urn', name text PATH '@name') t)
SELECT * FROM s;
INSERT INTO misswitch_staging.extract_load (role, format, school_key, lea_code, dfe_number, urn, school_name, mis_source, source_file)
SELECT 'new', 'native', lea || '/' || dfe, lea, dfe, urn, name, 'xmltable', :'file' FROM l;
INSERT INTO misswitch_staging.extract_pupil (load_id, mis_id, upn, legal_forename, legal_surname, dob, sex, year_group, reg_group, email, address_postcode)
SELECT e.load_id, t.* FROM doc, misswitch_staging.extract_load e, XMLTABLE('//school/pupils/pupil' PASSING doc.x COLUMNS id text PATH '@id', upn text PATH 'upn',
  f text PATH 'legal-forename', s text PATH 'legal-surname', dob date PATH 'dob', sex text PATH 'sex', y text PATH 'year', r text PATH 'reg-group', email text PATH 'email', pc text PATH 'address/postcode') t
WHERE e.source_file = :'file' AND e.mis_source = 'xmltable';
INSERT INTO misswitch_staging.extract_staff (load_id, mis_id, staff_code, legal_forename, legal_surname, email)
SELECT e.load_id, t.* FROM doc, misswitch_staging.extract_load e, XMLTABLE('//school/staff/member' PASSING doc.x COLUMNS id text PATH '@id', c text PATH 'staff-code', f text PATH 'legal-forename', s text PATH 'legal-surname', m text PATH 'email') t
WHERE e.mis_source = 'xmltable';
INSERT INTO misswitch_staging.extract_contact (load_id, mis_id, title, forename, surname)
SELECT e.load_id, t.* FROM doc, misswitch_staging.extract_load e, XMLTABLE('//school/contacts/contact' PASSING doc.x COLUMNS id text PATH '@id', ti text PATH 'title', f text PATH 'forename', s text PATH 'surname') t
WHERE e.mis_source = 'xmltable';
INSERT INTO misswitch_staging.extract_relationship (load_id, contact_mis_id, pupil_mis_id, relationship, parental_responsibility, priority)
SELECT e.load_id, t.* FROM doc, misswitch_staging.extract_load e, XMLTABLE('//school/contacts/contact/relationship' PASSING doc.x COLUMNS c text PATH '../@id', p text PATH '@pupil', ty text PATH '@type', pr boolean PATH '@parental-responsibility', o integer PATH '@priority') t
WHERE e.mis_source = 'xmltable';
INSERT INTO misswitch_staging.extract_group (load_id, mis_id, code, name, kind, academic_year)
SELECT e.load_id, t.* FROM doc, misswitch_staging.extract_load e, XMLTABLE('//school/groups/group' PASSING doc.x COLUMNS id text PATH '@id', c text PATH '@code', n text PATH 'name', k text PATH '@kind', y text PATH '@academic-year') t
WHERE e.mis_source = 'xmltable';
INSERT INTO misswitch_staging.extract_membership (load_id, group_mis_id, member_mis_id, member_role)
SELECT e.load_id, t.* FROM doc, misswitch_staging.extract_load e, XMLTABLE('//school/groups/group/member' PASSING doc.x COLUMNS g text PATH '../@id', m text PATH '@ref', r text PATH '@role') t
WHERE e.mis_source = 'xmltable';
COMMIT;
