//! Which characters an answer may hold: an answer must be what it looks like.
//!
//! A value that shows nothing (zero-width spaces, a Hangul filler) must not pass for an
//! answer, and a one-line value must not carry characters that reorder or hide what a person
//! or an operator reads back (bidirectional overrides, invisible format characters, line and
//! paragraph separators). The page and the signer both call these through
//! [`validate_answers`](fn@crate::validate_answers), so they cannot disagree.

/// True for a character that draws nothing on its own: white space, format characters, fillers
/// and variation selectors. A value made only of these is no answer.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || is_format(c)
        || matches!(c,
            '\u{200C}' | '\u{200D}'     // zero-width non-joiner and joiner
            | '\u{034F}'                // combining grapheme joiner
            | '\u{115F}' | '\u{1160}'   // Hangul choseong and jungseong fillers
            | '\u{3164}' | '\u{FFA0}'   // Hangul fillers
            | '\u{2800}'                // braille pattern blank
            | '\u{FE00}'..='\u{FE0F}'   // variation selectors
            | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
        )
}

/// True for a character refused in a one-line answer: bidirectional controls, invisible
/// format characters and line or paragraph separators.
///
/// The zero-width joiner and non-joiner are allowed: Persian, Indic scripts and emoji
/// sequences need them to spell ordinary words and names.
pub fn is_refused_in_single_line(c: char) -> bool {
    is_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// True for a bidirectional embedding, override or isolate, which can make a text read
/// differently from how it is stored; refused in every text answer.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Bidirectional controls and the invisible format characters of Unicode's `Cf` category
/// that no name, address or company needs.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{061C}'                // Arabic letter mark
        | '\u{180E}'                // Mongolian vowel separator
        | '\u{200B}'                // zero-width space
        | '\u{200E}' | '\u{200F}'   // left-to-right and right-to-left marks
        | '\u{202A}'..='\u{202E}'   // bidirectional embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'   // bidirectional isolates, deprecated format characters
        | '\u{FEFF}'                // zero-width no-break space (byte order mark)
        | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation
        | '\u{1D173}'..='\u{1D17A}' // musical format characters
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}' // tags
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_characters_are_recognised() {
        for c in [
            '\u{200B}',
            '\u{3164}',
            '\u{2800}',
            '\u{FEFF}',
            ' ',
            '\u{00A0}',
            '\u{E0041}',
        ] {
            assert!(is_invisible(c), "{:04X}", c as u32);
        }
        for c in ['a', 'é', 'ب', '字', '-', '0'] {
            assert!(!is_invisible(c), "{c}");
        }
    }

    #[test]
    fn bidi_controls_and_separators_are_refused_on_one_line() {
        for c in [
            '\u{202E}', '\u{2066}', '\u{200F}', '\u{2028}', '\u{2029}', '\u{200B}',
        ] {
            assert!(is_refused_in_single_line(c), "{:04X}", c as u32);
        }
        for c in ['\u{200C}', '\u{200D}', 'a', 'ی', ' '] {
            assert!(!is_refused_in_single_line(c), "{:04X}", c as u32);
        }
    }
}
