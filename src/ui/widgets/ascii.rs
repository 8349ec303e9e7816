//! ASCII only, for terminals whose locale is not UTF-8 (a vt100, a thin client set to "C"): after
//! a frame is drawn, every symbol outside ASCII is replaced by the ASCII that says the same, so no
//! view has to know. Box drawing becomes + - |, arrows < > ^ v, the ellipsis ~, a spinner turns
//! through | / - \, accented letters lose their accents.

use ratatui::buffer::Buffer;

/// Replace every non-ASCII symbol of `buf` in place.
pub fn fold(buf: &mut Buffer) {
    for cell in &mut buf.content {
        let symbol = cell.symbol();
        if !symbol.is_ascii() {
            let ascii = ascii_of(symbol);
            cell.set_symbol(&ascii);
        }
    }
}

/// The ASCII for one symbol (one grapheme of a cell).
pub fn ascii_of(symbol: &str) -> String {
    symbol.chars().map(ascii_char).collect()
}

fn ascii_char(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    match c {
        '─' | '━' | '┄' | '┅' | '┈' | '┉' | '═' | '╌' => '-',
        '│' | '┃' | '┆' | '┇' | '┊' | '┋' | '║' | '╎' => '|',
        '\u{2500}'..='\u{257f}' => '+',
        '·' | '•' | '‧' => '-',
        '…' => '~',
        '→' | '⇒' | '›' | '»' => '>',
        '←' | '⇐' | '‹' | '«' => '<',
        '↑' => '^',
        '↓' => 'v',
        '✓' | '✔' | '●' | '★' => '*',
        '◌' | '○' => 'o',
        '✕' | '✗' | '×' => 'x',
        '“' | '”' | '„' => '"',
        '‘' | '’' | '‚' => '\'',
        '–' | '—' => '-',
        '°' => 'o',
        // A spinner frame: four ASCII frames, turning as the braille one does.
        '\u{2800}'..='\u{28ff}' => ['|', '/', '-', '\\'][(c as usize) % 4],
        _ => unaccented(c),
    }
}

/// Latin letters without their accents; anything else becomes '?'.
fn unaccented(c: char) -> char {
    crate::domain::text::unaccented(c).unwrap_or('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_and_letters_read_the_same_in_ascii() {
        assert_eq!(ascii_of("┌──┐"), "+--+");
        assert_eq!(ascii_of("│"), "|");
        assert_eq!(ascii_of("rita · connected…"), "rita - connected~");
        assert_eq!(ascii_of("✓ picked"), "* picked");
        assert_eq!(ascii_of("José Müller Łódź"), "Jose Muller Lodz");
        assert_eq!(ascii_of("漢"), "?");
        let frames: Vec<String> = "⠋⠙⠹⠸".chars().map(|c| ascii_of(&c.to_string())).collect();
        assert!(frames.iter().all(|f| f.is_ascii() && f.len() == 1));
    }
}
