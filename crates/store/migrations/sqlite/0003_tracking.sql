-- The tracking domain: categories, bills (with active ranges), per-month state, payments,
-- expenses, budgets and per-user preferences. Money is BIGINT minor units with an ISO 4217
-- currency; calendar dates are ISO text (YYYY-MM-DD); instants BIGINT unix ms.
-- Soft deletes keep `deleted_at`; every row belongs to one user (user_id) and every query
-- filters by it. Keep in step with ../postgres/0003_tracking.sql.

CREATE TABLE user_settings (
    user_id         TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    currency        TEXT NOT NULL DEFAULT 'USD',
    locale          TEXT NOT NULL DEFAULT 'en-US',
    time_zone       TEXT NOT NULL DEFAULT 'UTC',
    week_start      BIGINT NOT NULL DEFAULT 1,
    paydays         TEXT NOT NULL DEFAULT '[1,15]',
    due_soon_days   BIGINT NOT NULL DEFAULT 3,
    grace_days      BIGINT NOT NULL DEFAULT 5,
    theme           TEXT NOT NULL DEFAULT 'system',
    updated_at      BIGINT NOT NULL
);

CREATE TABLE categories (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    color        TEXT NOT NULL,
    icon         TEXT NOT NULL,
    is_spending  BOOLEAN NOT NULL DEFAULT TRUE,
    deleted_at   BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX categories_user_name ON categories(user_id, name) WHERE deleted_at IS NULL;

CREATE TABLE bills (
    id                     TEXT PRIMARY KEY,
    user_id                TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category_id            TEXT REFERENCES categories(id) ON DELETE SET NULL,
    name                   TEXT NOT NULL,
    notes                  TEXT NOT NULL DEFAULT '',
    amount_kind            TEXT NOT NULL CHECK (amount_kind IN ('fixed', 'estimated')),
    expected_minor         BIGINT NOT NULL,
    min_minor              BIGINT,
    max_minor              BIGINT,
    currency               TEXT NOT NULL,
    cycle                  TEXT NOT NULL,
    anchor_date            TEXT NOT NULL,
    due_day                BIGINT,
    is_active              BOOLEAN NOT NULL DEFAULT TRUE,
    autopay                TEXT NOT NULL DEFAULT 'off',
    autopay_verified_on    TEXT,
    auto_mark_paid         BOOLEAN NOT NULL DEFAULT FALSE,
    is_subscription        BOOLEAN NOT NULL DEFAULT FALSE,
    reminder_days          TEXT NOT NULL DEFAULT '[]',
    website                TEXT,
    account_details_enc    TEXT,
    debt_balance_minor     BIGINT,
    debt_apr_bp            BIGINT,
    debt_min_payment_minor BIGINT,
    debt_payoff_order      BIGINT,
    deleted_at             BIGINT,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL,
    version                BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX bills_user ON bills(user_id, deleted_at);

-- When a bill was active: a bill shows in the months of its ranges even after deactivation.
CREATE TABLE bill_active_ranges (
    id          TEXT PRIMARY KEY,
    bill_id     TEXT NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    start_date  TEXT NOT NULL,
    end_date    TEXT
);
CREATE INDEX bill_active_ranges_bill ON bill_active_ranges(bill_id);

-- Per-occurrence overrides that never touch the template.
CREATE TABLE month_states (
    bill_id        TEXT NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    due_date       TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    actual_minor   BIGINT,
    note           TEXT NOT NULL DEFAULT '',
    skipped        BOOLEAN NOT NULL DEFAULT FALSE,
    snoozed_until  TEXT,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (bill_id, due_date)
);

CREATE TABLE payments (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    bill_id         TEXT NOT NULL REFERENCES bills(id) ON DELETE CASCADE,
    amount_minor    BIGINT NOT NULL,
    paid_on         TEXT NOT NULL,
    cycle_due       TEXT NOT NULL,
    method          TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL DEFAULT 'manual',
    autopay_failed  BOOLEAN NOT NULL DEFAULT FALSE,
    undo_token      TEXT,
    deleted_at      BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX payments_bill_cycle ON payments(bill_id, cycle_due);
CREATE INDEX payments_user_paid ON payments(user_id, paid_on);

-- Starting cash and income per pay-period bucket of a month.
CREATE TABLE month_cash (
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    year_month     TEXT NOT NULL,
    bucket         BIGINT NOT NULL,
    starting_minor BIGINT NOT NULL DEFAULT 0,
    income_minor   BIGINT NOT NULL DEFAULT 0,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, year_month, bucket)
);

CREATE TABLE expenses (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category_id   TEXT REFERENCES categories(id) ON DELETE SET NULL,
    amount_minor  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    spent_on      TEXT NOT NULL,
    payee         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    method        TEXT NOT NULL DEFAULT '',
    undo_token    TEXT,
    deleted_at    BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX expenses_user_spent ON expenses(user_id, spent_on);

CREATE TABLE budgets (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    category_id  TEXT NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    period       TEXT NOT NULL CHECK (period IN ('monthly', 'yearly')),
    limit_minor  BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    UNIQUE (user_id, category_id, period)
);
