-- Cheaper writes of many transactions (issue 15's import figures), PostgreSQL. Keep in step
-- with ../sqlite/0017_transaction_write_indexes.sql. Depends on 0012 (transactions).
--
-- Every row an import writes is one entry in each index of `transactions`; two of them cost
-- more than they served:
-- - transactions_account_dedupe (account_id, dedupe_key): no query looks a transaction up by
--   its key (de-duplication reads the account's keys by date, sync by date too); what it did
--   serve is finding an account's rows (its deletion cascade, the per-account reads), which an
--   index on account_id alone does, its entries for one import appended in heap order.
-- - the UNIQUE constraint on payment_id indexed every row, although almost all of them have
--   no payment: a partial unique index keeps the rule (one transaction backs at most one
--   payment; NULLs never conflicted) and still serves the lookups by payment (`payment_id =
--   …` implies NOT NULL). It keeps the constraint's name, so a violation still names
--   `payment_id`.
DROP INDEX transactions_account_dedupe;
CREATE INDEX transactions_account ON transactions(account_id);
ALTER TABLE transactions DROP CONSTRAINT transactions_payment_id_key;
CREATE UNIQUE INDEX transactions_payment_id_key ON transactions(payment_id)
    WHERE payment_id IS NOT NULL;
