-- 0007: duplicate accounts: platform accounts of one person (a teacher and a staff account, a
-- parent with an account per child, a parent who is also staff). The matching rules fill this
-- table; plans merge each duplicate into the account the person actually uses and disable it.

CREATE TABLE misswitch_work.duplicate (
    account_id      text NOT NULL PRIMARY KEY,   -- the account to merge and disable
    keep_account_id text NOT NULL,               -- the account the person uses: it keeps its login
    pass            text NOT NULL,               -- the rule pass that found it
    reason          text NOT NULL,               -- for people: why these are one person
    CHECK (account_id <> keep_account_id)
);
CREATE INDEX duplicate_keep ON misswitch_work.duplicate (keep_account_id);
