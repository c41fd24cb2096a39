-- Matching bank transactions to bills (issue 15), PostgreSQL.
-- Keep in step with ../sqlite/0013_matching.sql.

-- How and when a transaction was matched, for the 7-day undo panel. Set together with
-- state = 'matched' and payment_id; cleared together by an unmatch. The constraint that one
-- transaction backs at most one payment stays transactions.payment_id UNIQUE (0012).
ALTER TABLE transactions ADD COLUMN matched_at BIGINT;
ALTER TABLE transactions ADD COLUMN matched_by TEXT
    CHECK (matched_by IS NULL OR matched_by IN ('manual', 'suggestion', 'rule'));
CREATE INDEX transactions_user_matched ON transactions(user_id, matched_at)
    WHERE matched_at IS NOT NULL;

-- A per-bill merchant rule: a transaction whose payee contains / equals payee_text
-- (case-insensitively, literal text, no patterns) and, when given, whose amount's absolute
-- value is within [min_minor, max_minor] (money out of 12.34 is 1234) and whose account is
-- account_id, is matched to bill_id. category_id, when given, is set on the transactions the
-- rule matches (rules also categorise spending).
CREATE TABLE merchant_rules (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    bill_id     TEXT NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    payee_match TEXT NOT NULL CHECK (payee_match IN ('contains', 'equals')),
    payee_text  TEXT NOT NULL,
    min_minor   BIGINT CHECK (min_minor IS NULL OR min_minor >= 0),
    max_minor   BIGINT CHECK (max_minor IS NULL OR max_minor >= 0),
    account_id  TEXT REFERENCES bank_accounts(id) ON DELETE CASCADE,
    category_id TEXT REFERENCES categories(id) ON DELETE SET NULL,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    CHECK (min_minor IS NULL OR max_minor IS NULL OR min_minor <= max_minor)
);
CREATE INDEX merchant_rules_user_bill ON merchant_rules(user_id, bill_id);

-- A suggestion the user turned down: the pair is not suggested again while the rejection is
-- younger than 90 days (the service's rule). Rejecting again renews it.
CREATE TABLE match_rejections (
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    transaction_id TEXT NOT NULL REFERENCES transactions(id) ON DELETE CASCADE,
    bill_id        TEXT NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    rejected_at    BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, bill_id)
);
CREATE INDEX match_rejections_user ON match_rejections(user_id, rejected_at);
