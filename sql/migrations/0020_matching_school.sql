-- 0020: the school as a compared field. A trust's staff work in one of its schools: a record in
-- the account's own school is evidence like any other field, its m estimated from the exact-key
-- matches and its u from random pairs of the trust (about one in the number of schools). Without
-- it, a scored pass's prior odds (log2 of the open accounts of the whole trust) grow with the
-- trust while the evidence does not: at 1 M pupils (100 schools) 44 k of 96 k staff whose names
-- and date of birth agree fell short of auto-accept by a fraction of a bit.
--
-- A school whose LEA/DfE codes change with the move is still the same school: school_key_map
-- holds, for each such school, the code of the new extract most of its relinked pupils went to
-- (misswitch_work.school_change), and the school field counts that extract as the same school.
-- (0012's school_map view maps platform schools by ID for groups; this maps the codes that
-- account_person and record_person carry.) A pass that compares schools refills it; match's
-- reset empties it.
CREATE UNLOGGED TABLE misswitch_work.school_key_map (
    school_key     text NOT NULL,   -- the platform school's lea_code/dfe_number
    new_school_key text NOT NULL,   -- the new extract's school_key it became
    PRIMARY KEY (school_key, new_school_key)
);
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON misswitch_work.school_key_map TO misswitch_rules;
