-- The matching normalisers and comparison helpers of migration 0008.
BEGIN;
SELECT plan(16);

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

SELECT * FROM finish();
ROLLBACK;
