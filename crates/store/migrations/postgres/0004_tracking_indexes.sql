-- Lookups by owner and occurrence: month states and payment totals for one month must not read
-- a user's whole history.
CREATE INDEX month_states_user_due ON month_states(user_id, due_date);
CREATE INDEX payments_user_cycle ON payments(user_id, cycle_due);
