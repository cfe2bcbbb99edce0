-- The matching normalisers and comparison helpers of migration 0008.
BEGIN;
SELECT plan(26);

SELECT is(misswitch_work.normalise_name('  Amélie  O''Brien-Smith '), 'amelie obrien smith', 'names: unaccented, lowercase, apostrophes dropped, hyphens as spaces');
SELECT is(misswitch_work.normalise_name('JOSÉ'), 'jose', 'names: accents go');
SELECT is(misswitch_work.normalise_name(' - '), NULL, 'names: nothing left is NULL');
SELECT is(misswitch_work.normalise_email('  A.Khan@Rosewood.Example.ORG '), 'a.khan@rosewood.example.org', 'emails: trimmed, lowercase');
SELECT is(misswitch_work.normalise_phone('+44 7700 900123'), '07700900123', 'phones: +44 as 0');
SELECT is(misswitch_work.normalise_phone('0044 (0)20-7946 0018'), '02079460018', 'phones: 0044 (0) as one leading 0');
SELECT is(misswitch_work.normalise_phone('07700 941561'), '07700941561', 'phones: digits only');
SELECT is(misswitch_work.normalise_postcode('le13 0es'), 'LE130ES', 'postcodes: uppercase, no spaces');
SELECT is(misswitch_work.normalise_code(' ab-1 '), 'AB1', 'codes: uppercase, no punctuation');
SELECT is(misswitch_work.dob_level('2014-09-26', '2014-09-26'), 'exact', 'dob exact');
SELECT is(misswitch_work.dob_level('2014-09-26', '2014-09-28'), 'near', 'dob: one digit keyed wrong is near');
SELECT is(misswitch_work.dob_level('2014-03-04', '2014-04-03'), 'near', 'dob: day and month swapped is near');
SELECT is(misswitch_work.dob_level('2014-03-04', '2012-07-19'), 'different', 'dob different');
SELECT ok(misswitch_work.names_related('bill', 'william') AND misswitch_work.names_related('billy', 'will'),
          'nicknames of one name are related');
SELECT ok(NOT misswitch_work.names_related('bill', 'robert'), 'nicknames of different names are not');
SELECT is(misswitch_work.sorted_letters('mia'), misswitch_work.sorted_letters('mai'), 'a swapped pair of letters sorts the same');
SELECT is(misswitch_work.normalise_phone('447700900123'), '07700900123', 'phones: 44 before ten national digits is the country code');
SELECT is(misswitch_work.normalise_phone('4412'), '4412', 'phones: 44 before a short number stays');
SELECT is(misswitch_work.normalise_phone(' - '), NULL, 'phones: no digits is NULL');
SELECT is(misswitch_work.normalise_phones(ARRAY['+44 7700 900123', '07700900123']), '{07700900123}',
          'phone lists: the same number twice is one');
SELECT is(misswitch_work.normalise_phones(ARRAY['07700 900999', NULL, '020 7946 0018']), '{02079460018,07700900999}',
          'phone lists of three or more: sorted, NULLs dropped');
SELECT is(misswitch_work.normalise_emails(ARRAY[' B@x.org', 'a@X.org ']), '{a@x.org,b@x.org}', 'email lists: normalised, sorted');
SELECT is(misswitch_work.normalise_emails(NULL), '{}', 'email lists: NULL is empty');
SELECT is(misswitch_work.dob_level('2014-09-26', '2019-09-26'), 'near', 'dob: one digit of the year keyed wrong is near');
-- The normalisers run on every row of a trust: they must be single expressions the planner
-- inlines (no SQL-function call, which cost ~60 us a row through a wrapper).
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                       WHERE n.nspname = 'misswitch_work' AND p.proname IN ('normalise_name', 'normalise_phone',
                             'normalise_phones', 'normalise_emails', 'normalise_code', 'dob_level')
                         AND (p.prosecdef OR p.proconfig IS NOT NULL OR p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'sql'))),
          'row normalisers are plain SQL functions (inlinable: no SECURITY DEFINER, no SET)');
SELECT doesnt_match((SELECT pg_catalog.pg_get_functiondef('misswitch_work.unaccent_text(text)'::regprocedure)), 'regdictionary',
                    'unaccent_text names no dictionary (no text-to-regdictionary cast per row)');

SELECT * FROM finish();
ROLLBACK;
