//! Payee likeness: a payee (or a bill's name) becomes its set of significant words —
//! lower-cased runs of letters and digits of at least three characters, without numbers and
//! the words banks add to every line ("pos", "debit", "payment", …). Two payees are alike
//! when they share a word: "NETFLIX.COM 866-579" is like the bill "Netflix".

/// Words every bank adds, which say nothing about who was paid.
const NOISE: [&str; 14] = [
    "the", "and", "pos", "ach", "debit", "credit", "card", "payment", "purchase", "online", "www",
    "com", "inc", "ltd",
];

/// A payee's significant words, sorted and distinct.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Words(Vec<String>);

impl Words {
    /// The significant words of `text`.
    pub fn of(text: &str) -> Self {
        let mut words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
            .filter(|w| w.chars().count() >= 3)
            .filter(|w| !w.chars().all(|c| c.is_numeric()))
            .filter(|w| !NOISE.contains(&w.as_str()))
            .collect();
        words.sort_unstable();
        words.dedup();
        Self(words)
    }

    /// Whether the two share a word.
    pub fn alike(&self, other: &Words) -> bool {
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            match x.cmp(y) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => {
                    a.next();
                }
                std::cmp::Ordering::Greater => {
                    b.next();
                }
            }
        }
        false
    }

    /// Whether no significant word is left.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
