//! A deterministic data set for the runnable bridge and benchmarks: `accounts` accounts and
//! `transactions` transactions spread over the 44 days before `now`, the newest ones pending.

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng};

use super::{BridgeAccount, BridgeTransaction};

/// Payees that look like bills, so matching has something to find.
const PAYEES: &[&str] = &[
    "City Power & Light",
    "Water Utility",
    "Netflix",
    "Spotify",
    "Comcast Internet",
    "State Farm Insurance",
    "Rent - Oak Street Apartments",
    "Verizon Wireless",
    "Gym Membership",
    "Grocery Mart",
    "Coffee House",
    "Gas Station",
];

/// The look-back the data covers.
const DAYS: i64 = 44;

/// Hex text derived from `n` (tokens and passwords of the test bridge).
pub(crate) fn secret(n: u64) -> String {
    let mut rng = StdRng::seed_from_u64(n ^ 0x5EED_5EED);
    format!("{:016x}{:016x}", rng.random::<u64>(), rng.random::<u64>())
}

/// `accounts` USD accounts holding `transactions` transactions between them, dated over the
/// 44 days before `now` (Unix seconds); the same `seed` gives the same data.
pub fn generate(accounts: usize, transactions: usize, seed: u64, now: i64) -> Vec<BridgeAccount> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out: Vec<BridgeAccount> = (0..accounts.max(1))
        .map(|i| {
            let mut account = BridgeAccount::new(&format!("ACT-{i}"), &format!("Account {i}"), "0");
            account.balance_date = now;
            account
        })
        .collect();
    let mut balances = vec![500_000_i64; out.len()];
    for n in 0..transactions {
        let slot = n % out.len();
        // An hour's margin, so a look-back computed a little later still covers it all.
        let age = rng.random_range(0..DAYS * 86_400 - 3_600);
        let at = now - age;
        let payee = PAYEES[rng.random_range(0..PAYEES.len())];
        let cents = -rng.random_range(1_000..201_000_i64);
        balances[slot] += cents;
        let amount = format!("{}.{:02}", cents / 100, (cents % 100).abs());
        let id = format!("TRN-{seed}-{n}");
        let transaction = if age < 2 * 86_400 {
            BridgeTransaction::pending(&id, at, &amount, payee)
        } else {
            let mut t = BridgeTransaction::posted(&id, at, &amount, payee);
            t.payee = Some(payee.to_owned());
            t
        };
        out[slot].transactions.push(transaction);
    }
    for (account, cents) in out.iter_mut().zip(balances) {
        let sign = if cents < 0 { "-" } else { "" };
        account.balance = format!("{sign}{}.{:02}", (cents / 100).abs(), (cents % 100).abs());
        account.available_balance = Some(account.balance.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data_within_the_look_back() {
        let now = 1_800_000_000;
        let a = generate(3, 100, 7, now);
        assert_eq!(a, generate(3, 100, 7, now));
        assert_ne!(a, generate(3, 100, 8, now));
        assert_eq!(a.iter().map(|x| x.transactions.len()).sum::<usize>(), 100);
        let dates = a
            .iter()
            .flat_map(|x| &x.transactions)
            .map(|t| t.transacted_at.unwrap_or(0));
        assert!(
            dates
                .into_iter()
                .all(|at| at > now - DAYS * 86_400 && at <= now)
        );
    }
}
