//! Text folding shared by the screens and the rules: Latin letters without their accents.

/// The letter without its accent, or None when `c` is not a Latin letter we know.
pub fn unaccented(c: char) -> Option<char> {
    const FROM: &str = "ÀÁÂÃÄÅàáâãäåÇçĆćČčÈÉÊËèéêëĚěÌÍÎÏìíîïıÑñŃńŇňÒÓÔÕÖØòóôõöøŐőÙÚÛÜùúûüŰűŮůÝýÿŚśŠšŞşŹźŻżŽžŁłĐđĎďŘřŤťĞğ";
    const TO: &str = "AAAAAAaaaaaaCcCcCcEEEEeeeeEeIIIIiiiiiNnNnNnOOOOOOooooooOoUUUUuuuuUuUuYyySsSsSsZzZzZzLlDdDdRrTtGg";
    if c.is_ascii() {
        return Some(c);
    }
    match c {
        'ß' => Some('s'),
        'Æ' => Some('A'),
        'æ' => Some('a'),
        'Œ' => Some('O'),
        'œ' => Some('o'),
        _ => FROM
            .chars()
            .position(|f| f == c)
            .and_then(|i| TO.chars().nth(i)),
    }
}

/// Lower case without accents, as clinic.fold() does in the database (for the letters both know).
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| unaccented(c).unwrap_or(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted, quotes doubled.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_and_accents() {
        assert_eq!(fold("Pénicilline"), "penicilline");
        assert_eq!(fold("ŁÓDŹ"), "lodz");
        assert_eq!(fold("漢"), "漢");
    }
}
