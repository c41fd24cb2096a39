-- Starting cash and income set on their page; recurring income (issue 14, item 8), SQLite.
-- Keep in step with ../postgres/0011_recurring_income.sql.
--
-- A period's starting cash and income may now be left unset (NULL): an unset income falls
-- back to the recurring income per payday, and a period with neither has no safe-to-spend.
-- SQLite cannot drop NOT NULL in place, so month_cash is rebuilt (nothing references it).
CREATE TABLE month_cash_new (
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    year_month     TEXT NOT NULL,
    bucket         BIGINT NOT NULL,
    starting_minor BIGINT,
    income_minor   BIGINT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, year_month, bucket)
);
INSERT INTO month_cash_new (user_id, year_month, bucket, starting_minor, income_minor, updated_at)
    SELECT user_id, year_month, bucket, starting_minor, income_minor, updated_at FROM month_cash;
DROP TABLE month_cash;
ALTER TABLE month_cash_new RENAME TO month_cash;

-- What the user is paid every payday, in their currency's minor units (like month_cash, not
-- encrypted). One row per user; no row: no recurring income.
CREATE TABLE recurring_income (
    user_id          TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    per_payday_minor BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
