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

-- Leavers: accounts no new record was found for (not the merged duplicates), flagged in the
-- report so the school can confirm them; the plan changes nothing on them.
CREATE FUNCTION misswitch_work.leavers()
RETURNS TABLE (account text, account_type text, username text, forename text, surname text,
               reason text)
LANGUAGE sql STABLE
AS $$
    SELECT a.account_id, a.account_type, a.username, a.forename, a.surname, d.reason
      FROM misswitch_work.decision d
      JOIN misswitch_staging.platform_account a USING (account_id)
     WHERE d.tier = 'none' AND d.pass = 'unmatched'
       AND NOT EXISTS (SELECT 1 FROM misswitch_work.duplicate x WHERE x.account_id = d.account_id)
     ORDER BY a.account_type, a.surname, a.forename, a.account_id
$$;
