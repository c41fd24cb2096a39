-- Sign-in history shown to each user; IP and user agent are encrypted by the service layer.
CREATE TABLE login_history (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at              BIGINT NOT NULL,
    success         BOOLEAN NOT NULL,
    method          TEXT NOT NULL,
    session_id      TEXT,
    ip_enc          TEXT,
    user_agent_enc  TEXT
);
CREATE INDEX login_history_user_at ON login_history(user_id, at);
