-- Cheaper writes of many transactions (issue 15's import figures), SQLite. Keep in step with
-- ../postgres/0017_transaction_write_indexes.sql. Depends on 0012 (transactions).
--
-- Every row an import writes is one entry in each index of `transactions`.
-- transactions_account_dedupe (account_id, dedupe_key) cost more than it served: no query
-- looks a transaction up by its key (de-duplication reads the account's keys by date, sync by
-- date too); what it did serve is finding an account's rows (its deletion cascade, the
-- per-account reads), which an index on account_id alone does, its entries for one import
-- appended in rowid order. (PostgreSQL also turns the payment_id UNIQUE constraint into a
-- partial index; here that constraint is part of the table's definition and changing it
-- would mean rebuilding the table, while its NULL entries are appended in rowid order.)
DROP INDEX transactions_account_dedupe;
CREATE INDEX transactions_account ON transactions(account_id);
