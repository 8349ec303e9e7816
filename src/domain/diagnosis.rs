//! Diagnoses are coded in ICD-10-CM: the codes, and what a doctor types to find one.

/// One entry of the ICD-10-CM list (`clinic.icd10cm`): a billable code, or a category or
/// subcategory heading above billable codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Icd10Code {
    /// As printed, with its dot: "E11.9", "S72.001A".
    pub code: String,
    pub description: String,
    /// The chapter of the classification, 1 to 22 (`clinic.icd10cm_chapters`).
    pub chapter: i16,
    /// A code with no children, the only kind a diagnosis (or a claim) may carry; the others are
    /// headings ("E11 Type 2 diabetes mellitus").
    pub billable: bool,
}

/// Most words of a description search; more only narrow a list that is already short.
pub const MAX_WORDS: usize = 6;

/// What the diagnosis box holds, routed by its shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Icd10Query {
    /// Nothing to look for yet.
    Empty,
    /// The start of a code, upper-cased and without its dot: "e11.9" and "E119" are both "E119".
    Code(String),
    /// Words that must each start a word of the description, lower-cased; accents are folded by
    /// the database (clinic.fold), the same way as the descriptions' words.
    Words(Vec<String>),
}

impl Icd10Query {
    pub fn parse(input: &str) -> Icd10Query {
        let input = input.trim();
        if let Some(code) = code_prefix(input) {
            return Icd10Query::Code(code);
        }
        let words: Vec<String> = input
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(MAX_WORDS)
            .map(str::to_lowercase)
            .collect();
        if words.is_empty() {
            Icd10Query::Empty
        } else {
            Icd10Query::Words(words)
        }
    }
}

/// `input` as the start of a code, if it looks like one: a letter, then a digit or (as in QA0) a
/// letter and a digit, then letters and digits, seven at most, with the dot after the third if at
/// all. A single letter is a word's start rather than a code's: "d" is as likely to be diabetes.
fn code_prefix(input: &str) -> Option<String> {
    let key: String = match input.split_once('.') {
        Some((category, rest)) if category.len() == 3 && !rest.contains('.') => {
            format!("{category}{rest}")
        }
        Some(_) => return None,
        None => input.to_string(),
    }
    .to_ascii_uppercase();
    let b = key.as_bytes();
    let shaped = (2..=7).contains(&b.len())
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b[0].is_ascii_alphabetic()
        && (b[1].is_ascii_digit() || b.get(2).is_some_and(u8::is_ascii_digit));
    shaped.then_some(key)
}

#[cfg(test)]
mod tests {
    use super::Icd10Query::{self, Code, Empty, Words};

    fn words(w: &[&str]) -> Icd10Query {
        Words(w.iter().map(|s| (*s).to_string()).collect())
    }

    #[test]
    fn codes_are_read_with_or_without_their_dot_in_any_case() {
        assert_eq!(Icd10Query::parse("E11"), Code("E11".into()));
        assert_eq!(Icd10Query::parse(" e11.9 "), Code("E119".into()));
        assert_eq!(Icd10Query::parse("E119"), Code("E119".into()));
        assert_eq!(Icd10Query::parse("m17.1"), Code("M171".into()));
        assert_eq!(Icd10Query::parse("E11."), Code("E11".into()));
        assert_eq!(Icd10Query::parse("s72.001a"), Code("S72001A".into()));
        assert_eq!(Icd10Query::parse("qa0.01"), Code("QA001".into()));
        assert_eq!(Icd10Query::parse("i5a"), Code("I5A".into()));
        assert_eq!(Icd10Query::parse("J4"), Code("J4".into()));
    }

    #[test]
    fn anything_else_is_words() {
        assert_eq!(
            Icd10Query::parse("Type 2 diab"),
            words(&["type", "2", "diab"])
        );
        assert_eq!(Icd10Query::parse("d"), words(&["d"]));
        assert_eq!(Icd10Query::parse("qa"), words(&["qa"]));
        assert_eq!(Icd10Query::parse("DIABÈTE"), words(&["diabète"]));
        assert_eq!(
            Icd10Query::parse("Sjögren's, age-related"),
            words(&["sjögren", "s", "age", "related"])
        );
        // Too long, a dot in the wrong place, or two tokens: not a code.
        assert_eq!(Icd10Query::parse("S72001AB"), words(&["s72001ab"]));
        assert_eq!(Icd10Query::parse("E1.1"), words(&["e1", "1"]));
        assert_eq!(Icd10Query::parse("E11 foot"), words(&["e11", "foot"]));
        assert_eq!(
            Icd10Query::parse("a b c d e f g h"),
            words(&["a", "b", "c", "d", "e", "f"])
        );
    }

    #[test]
    fn nothing_searchable_is_empty() {
        assert_eq!(Icd10Query::parse(""), Empty);
        assert_eq!(Icd10Query::parse("  - ' . "), Empty);
    }
}
