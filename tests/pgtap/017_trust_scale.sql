-- A trust at scale (0020 and the default rules): what a hundred schools bring that ten do not.
-- staff_scored counts a record in the account's own school as evidence (m from the exact-key
-- matches, u from random pairs), and a school whose LEA/DfE codes change with the move is still
-- the same school (school_key_map, from where its pupils went). Schools can share an email
-- domain, so one address can pass from one person to another: staff_email does not link an
-- address whose dates of birth differ. Namesakes born the same day in two schools are not one
-- person's duplicate accounts. A trust of two schools: 40 pupils and 40 staff each, linked by UPN
-- and email (the anchors); in school 2, whose DfE number changes 2002 -> 4002, a teacher with a
-- new address; a teacher of school 1 whose namesake (same name, same date of birth) joins school 2.
BEGIN;
SELECT plan(13);

INSERT INTO misswitch_staging.platform_load (source, profile) VALUES ('test', 'reference');
INSERT INTO misswitch_staging.platform_school (school_id, name, lea_code, dfe_number) VALUES
    ('s1', 'One', '801', '2001'), ('s2', 'Two', '801', '2002');
INSERT INTO misswitch_staging.extract_load (load_id, role, format, school_key, mis_source, source_file, lea_code, dfe_number)
VALUES (1, 'new', 'native', '801/2001', 'Arbor', 'one.xml', '801', '2001'),
       (2, 'new', 'native', '801/4002', 'Arbor', 'two.xml', '801', '4002');

-- Everyone the exact keys link: pupil p<s>-<n> by UPN, staff t<s>-<n> by email.
INSERT INTO misswitch_staging.platform_account (account_id, account_type, staff_role, forename, surname, dob,
                                                email, upn, mis_source, mis_id, school_id)
SELECT 'p' || s || '-' || n, 'pupil', NULL, 'Pupil' || chr(64 + n % 26), 'Family' || s || n,
       date '2012-01-01' + (s * 100 + n), NULL, 'U' || s || lpad(n::text, 3, '0'), 'SIMS', 'op' || s || n, 's' || s
  FROM generate_series(1, 2) s, generate_series(1, 40) n
UNION ALL
SELECT 't' || s || '-' || n, 'staff', 'teacher', 'Teacher' || chr(64 + n % 26), 'Staff' || s || n,
       date '1970-01-01' + (s * 1000 + n * 7), 't' || s || n || '@old.example.org', NULL, 'SIMS', 'ot' || s || n, 's' || s
  FROM generate_series(1, 2) s, generate_series(1, 40) n;
INSERT INTO misswitch_staging.extract_pupil (load_id, mis_id, upn, legal_forename, legal_surname, dob)
SELECT s, 'np' || s || n, 'U' || s || lpad(n::text, 3, '0'), 'Pupil' || chr(64 + n % 26), 'Family' || s || n,
       date '2012-01-01' + (s * 100 + n)
  FROM generate_series(1, 2) s, generate_series(1, 40) n;
INSERT INTO misswitch_staging.extract_staff (load_id, mis_id, legal_forename, legal_surname, dob, email)
SELECT s, 'nt' || s || n, 'Teacher' || chr(64 + n % 26), 'Staff' || s || n, date '1970-01-01' + (s * 1000 + n * 7),
       't' || s || n || '@old.example.org'
  FROM generate_series(1, 2) s, generate_series(1, 40) n;

-- Ann Lee of school 2 (whose codes change) has a new address; Sam Green of school 1 too, and a
-- namesake born the same day joins school 2.
INSERT INTO misswitch_staging.platform_account (account_id, account_type, staff_role, forename, surname, dob,
                                                email, mis_source, mis_id, school_id) VALUES
    ('ann', 'staff', 'teacher', 'Ann', 'Lee', '1981-05-05', 'ann.lee@old.example.org', 'SIMS', 'oann', 's2'),
    ('sam', 'staff', 'teacher', 'Sam', 'Green', '1979-03-03', 'sam.green@old.example.org', 'SIMS', 'osam', 's1');
INSERT INTO misswitch_staging.extract_staff (load_id, mis_id, legal_forename, legal_surname, dob, email) VALUES
    (2, 'nann', 'Ann', 'Lee', '1981-05-05', 'alee@two.example.org'),
    (1, 'nsam', 'Sam', 'Green', '1979-03-03', 'sgreen@one.example.org'),
    (2, 'nsam2', 'Sam', 'Green', '1979-03-03', 'sgreen@two.example.org');

-- Zara Quinn of school 2 has a new UPN and her day and month of birth swapped: no blocking key
-- finds her but those that name the school, which must take school 2's new code as its own.
INSERT INTO misswitch_staging.platform_account (account_id, account_type, forename, surname, dob, upn,
                                                mis_source, mis_id, school_id)
VALUES ('zara', 'pupil', 'Zara', 'Quinn', '2012-03-04', 'UZ001', 'SIMS', 'ozara', 's2');
INSERT INTO misswitch_staging.extract_pupil (load_id, mis_id, upn, legal_forename, legal_surname, dob)
VALUES (2, 'nzara', 'UZ002', 'Zara', 'Quinn', '2012-04-03');

-- Freya King's new MIS gives her a new address, and her old one (f.king@, the trust's shared
-- domain) to Florence King, who joins school 2. Tom Hart's date of birth is typed day for month.
-- Kim Ray has a teacher and a staff account in school 1; another Kim Ray, born the same day,
-- teaches in school 2.
INSERT INTO misswitch_staging.platform_account (account_id, account_type, staff_role, forename, surname, dob,
                                                email, mis_source, mis_id, school_id) VALUES
    ('freya', 'staff', 'teacher', 'Freya', 'King', '1964-01-11', 'f.king@old.example.org', 'SIMS', 'ofreya', 's1'),
    ('tom', 'staff', 'teacher', 'Tom', 'Hart', '1975-02-03', 'tom.hart@old.example.org', 'SIMS', 'otom', 's1'),
    ('kim1', 'staff', 'teacher', 'Kim', 'Ray', '1977-07-07', 'k.ray@old.example.org', 'SIMS', 'okim1', 's1'),
    ('kim1s', 'staff', 'staff', 'Kim', 'Ray', '1977-07-07', NULL, 'SIMS', 'okim1s', 's1'),
    ('kim2', 'staff', 'teacher', 'Kim', 'Ray', '1977-07-07', 'kim.ray@old.example.org', 'SIMS', 'okim2', 's2');
INSERT INTO misswitch_staging.extract_staff (load_id, mis_id, legal_forename, legal_surname, dob, email) VALUES
    (1, 'nfreya', 'Freya', 'King', '1964-01-11', 'freyaking81@one.example.org'),
    (2, 'nflorence', 'Florence', 'King', '1986-04-03', 'f.king@old.example.org'),
    (1, 'ntom', 'Tom', 'Hart', '1975-03-02', 'tom.hart@old.example.org'),
    (1, 'nkim1', 'Kim', 'Ray', '1977-07-07', 'k.ray@old.example.org'),
    (2, 'nkim2', 'Kim', 'Ray', '1977-07-07', 'kim.ray@old.example.org');

DO $$
BEGIN
    EXECUTE (SELECT sql FROM pgtap_fixture.rules_sql);
END
$$;

SELECT results_eq($$SELECT school_key, new_school_key FROM misswitch_work.school_key_map$$,
                  $$VALUES ('801/2002', '801/4002')$$,
                  'the school whose DfE number changes is mapped to the extract its pupils went to');
SELECT is((SELECT count(*)::int FROM misswitch_work.field_weight WHERE pass = 'staff_scored' AND field = 'school'),
          2, 'staff_scored weighs the school: exact and different');
SELECT cmp_ok((SELECT weight FROM misswitch_work.field_weight
                WHERE pass = 'staff_scored' AND field = 'school' AND level = 'exact'), '>', 0::double precision,
              'a record in the account''s own school is evidence for');
SELECT cmp_ok((SELECT weight FROM misswitch_work.field_weight
                WHERE pass = 'staff_scored' AND field = 'school' AND level = 'different'), '<', 0::double precision,
              'and one in another school against (m from the anchors, not a constant)');
SELECT is((SELECT c.fields -> 'school' ->> 'level' FROM misswitch_work.candidate c
            WHERE c.pass = 'staff_scored' AND c.account_id = 'ann' AND c.mis_id = 'nann'),
          'exact', 'a school with new codes is still the same school');
SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id = 'ann'$$,
                  $$VALUES ('likely', 'nann')$$, 'so its teacher with a new address is linked');
SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id = 'sam'$$,
                  $$VALUES ('likely', 'nsam')$$,
                  'a namesake born the same day in another school does not take the teacher''s record');
SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id = 'zara'$$,
                  $$VALUES ('likely', 'nzara')$$,
                  'a pupil of the school with new codes, with a new UPN and day and month swapped, is still compared');
SELECT results_eq($$SELECT new_mis_id, pass FROM misswitch_work.decision WHERE account_id = 'freya'$$,
                  $$VALUES ('nfreya', 'staff_scored')$$,
                  'an address that passed to someone born another day is not a link: the scored pass finds her');
SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id = 'tom'$$,
                  $$VALUES ('exact', 'ntom')$$, 'a date of birth typed day for month does not stop an email link');
SELECT results_eq($$SELECT account_id, keep_account_id FROM misswitch_work.duplicate
                     WHERE 'kim2' IN (account_id, keep_account_id) OR account_id IN ('kim1', 'kim1s')$$,
                  $$VALUES ('kim1s', 'kim1')$$,
                  'one person''s two accounts in one school are duplicates; a namesake in another school is not');
SELECT results_eq($$SELECT tier, new_mis_id FROM misswitch_work.decision WHERE account_id IN ('kim1', 'kim2')
                    ORDER BY account_id$$,
                  $$VALUES ('exact', 'nkim1'), ('exact', 'nkim2')$$, 'and each Kim Ray keeps their own record');
SELECT is((SELECT count(*)::int FROM misswitch_work.decision WHERE new_mis_id = 'nflorence'), 0,
          'Florence King is a joiner');

SELECT * FROM finish();
ROLLBACK;
