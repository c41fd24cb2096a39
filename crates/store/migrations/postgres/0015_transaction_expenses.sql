-- A transaction recorded as an expense (issue 15), PostgreSQL. Keep in step with
-- ../sqlite/0015_transaction_expenses.sql. Depends on 0003 (expenses) and 0012 (transactions).

-- The expense a transaction was recorded as: the same money, counted once. A transaction backs
-- at most one expense (the partial unique index), and only an unmatched one is recorded (the
-- store's compare-and-set). A link to a deleted expense counts as no link: budgets then count
-- the transaction again, and it can be matched or recorded anew.
ALTER TABLE transactions ADD COLUMN expense_id TEXT REFERENCES expenses(id) ON DELETE SET NULL;
CREATE UNIQUE INDEX transactions_expense ON transactions(expense_id) WHERE expense_id IS NOT NULL;
