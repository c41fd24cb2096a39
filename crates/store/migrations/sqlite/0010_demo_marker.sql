-- Generated demo rows are marked (issue 13), SQLite.
-- Keep in step with ../postgres/0010_demo_marker.sql.
--
-- "Clear demo data" used to delete every bill and expense noted "Demo data" and every category
-- named "Demo · …", so a person's own records named like that went too (with their payments).
-- Now only rows written by the generator, which sets is_demo, are deleted.
ALTER TABLE categories ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE bills ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE payments ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE expenses ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;

-- Demo data loaded before this migration: the generator wrote a whole data set in one
-- transaction with one created_at (at least 8 "Demo · " categories and their "Demo data"
-- bills), so a row counts as generated only when it carries the old label AND was written in
-- the same millisecond as such a set of the same user. A record the person made (even one
-- named like demo data) was written by a request of its own.
UPDATE categories SET is_demo = TRUE
 WHERE name LIKE 'Demo · %'
   AND (SELECT COUNT(*) FROM categories c WHERE c.user_id = categories.user_id
          AND c.name LIKE 'Demo · %' AND c.created_at = categories.created_at) >= 2
   AND EXISTS (SELECT 1 FROM bills b WHERE b.user_id = categories.user_id
                 AND b.notes = 'Demo data' AND b.created_at = categories.created_at);
UPDATE bills SET is_demo = TRUE
 WHERE notes = 'Demo data'
   AND EXISTS (SELECT 1 FROM categories c WHERE c.user_id = bills.user_id
                 AND c.is_demo AND c.created_at = bills.created_at);
UPDATE payments SET is_demo = TRUE
 WHERE note = 'Demo data'
   AND EXISTS (SELECT 1 FROM bills b WHERE b.id = payments.bill_id
                 AND b.is_demo AND b.created_at = payments.created_at);
UPDATE expenses SET is_demo = TRUE
 WHERE note = 'Demo data'
   AND EXISTS (SELECT 1 FROM categories c WHERE c.user_id = expenses.user_id
                 AND c.is_demo AND c.created_at = expenses.created_at);
