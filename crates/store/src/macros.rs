//! The engine switch: runs one block of sqlx code against whichever pool the store holds.
//! The block is compiled once per engine, so each arm is fully typed; the SQL text is shared.

/// `on_pool!(self, |pool| expr)` evaluates `expr` with `pool` bound to the open pool.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &*$store.db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
