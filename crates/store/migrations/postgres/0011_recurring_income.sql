-- Starting cash and income set on their page; recurring income (issue 14, item 8), PostgreSQL.
-- Keep in step with ../sqlite/0011_recurring_income.sql.
--
-- A period's starting cash and income may now be left unset (NULL): an unset income falls
-- back to the recurring income per payday, and a period with neither has no safe-to-spend.
ALTER TABLE month_cash ALTER COLUMN starting_minor DROP NOT NULL;
ALTER TABLE month_cash ALTER COLUMN starting_minor DROP DEFAULT;
ALTER TABLE month_cash ALTER COLUMN income_minor DROP NOT NULL;
ALTER TABLE month_cash ALTER COLUMN income_minor DROP DEFAULT;

-- What the user is paid every payday, in their currency's minor units (like month_cash, not
-- encrypted). One row per user; no row: no recurring income.
CREATE TABLE recurring_income (
    user_id          TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    per_payday_minor BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
