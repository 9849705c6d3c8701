//! Strings: the scan for the end of a run of plain content (most of the
//! decoding time), escapes and surrogate pairs, and the UTF-8 check.

use std::borrow::Cow;

use super::{JsonError, Reader};

/// Raw control characters must be escaped inside a JSON string.
const CONTROL_IN_STRING: &str = "control character (\\u0000-\\u001F) found while parsing a string";

/// The bytes that end a run of plain string content: the closing quote, a
/// backslash, and the control characters JSON forbids in strings.
const STRING_STOP: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The high bit of each byte of `word` (read little-endian) that is a quote,
/// a backslash or a control character. Only the lowest marked byte is exact
/// (a borrow can mark bytes above a true one), and only it is used.
fn stop_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let quote = zero_byte(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(word ^ (ONES * u64::from(b'\\')));
    // A byte below 0x20 borrows into its high bit, which a byte of 0x80 or
    // more already has set (and `!word` then clears).
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    quote | backslash | control
}

// See the note on the other `impl Reader` about `#[inline]`.
impl<'a> Reader<'a> {
    /// Moves to the next byte that ends a run of string content (or to the
    /// end of the input), eight bytes at a time: strings are most of a
    /// ListJobs body, so this loop is most of the decoding time.
    #[inline]
    fn skip_plain(&mut self) {
        let rest = self.bytes.get(self.pos..).unwrap_or(&[]);
        let mut chunks = rest.chunks_exact(8);
        let mut skipped = 0;
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let stops = stop_bytes(u64::from_le_bytes(word));
            if stops != 0 {
                self.pos += skipped + (stops.trailing_zeros() / 8) as usize;
                return;
            }
            skipped += 8;
        }
        let tail = chunks.remainder();
        self.pos += skipped
            + tail
                .iter()
                .position(|&b| STRING_STOP[usize::from(b)])
                .unwrap_or(tail.len());
    }

    /// Reads a string value, borrowing it when it has no escapes.
    pub fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.skip_ws();
        self.pos += 1; // the opening quote the caller peeked
        let start = self.pos;
        // The fast path: a run with no escape.
        self.skip_plain();
        match self.bytes.get(self.pos) {
            Some(b'"') => {
                let text = self.utf8(start, self.pos)?;
                self.pos += 1;
                return Ok(Cow::Borrowed(text));
            }
            Some(0x00..=0x1f) => return Err(self.error(CONTROL_IN_STRING)),
            _ => {}
        }
        if self.pos >= self.bytes.len() {
            return Err(self.eof("a string"));
        }
        let mut owned = String::from(self.utf8(start, self.pos)?);
        loop {
            let run = self.pos;
            self.skip_plain();
            if let Some(0x00..=0x1f) = self.bytes.get(self.pos) {
                return Err(self.error(CONTROL_IN_STRING));
            }
            owned.push_str(self.utf8(run, self.pos)?);
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(_) => {
                    self.pos += 1; // the backslash
                    self.escape(&mut owned)?;
                }
                None => return Err(self.eof("a string")),
            }
        }
    }

    /// Skips a string value: its escapes are checked for syntax only, since
    /// nothing reads it (serde_json also lets an unpaired surrogate pass
    /// here), but its bytes must still be UTF-8.
    pub(super) fn skip_string(&mut self) -> Result<(), JsonError> {
        self.pos += 1; // the opening quote the caller peeked
        let start = self.pos;
        loop {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.eof("a string"));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\\' => match self.bytes.get(self.pos) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                    Some(b'u') => {
                        self.pos += 1;
                        self.hex4()?;
                    }
                    Some(_) => return Err(self.error("invalid escape")),
                    None => return Err(self.eof("a string")),
                },
                0x00..=0x1f => {
                    self.pos -= 1;
                    return Err(self.error(CONTROL_IN_STRING));
                }
                _ => {}
            }
        }
        self.utf8(start, self.pos - 1).map(|_| ())
    }

    #[inline]
    fn utf8(&self, start: usize, end: usize) -> Result<&'a str, JsonError> {
        if let Some(text) = self.text.and_then(|text| text.get(start..end)) {
            return Ok(text);
        }
        let bytes: &'a [u8] = self.bytes;
        let slice = bytes.get(start..end).unwrap_or(&[]);
        std::str::from_utf8(slice).map_err(|e| {
            JsonError::new(
                String::from("invalid unicode code point"),
                start + e.valid_up_to(),
            )
        })
    }

    /// Decodes the escape after a backslash into `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.eof("a string"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    // A high surrogate must be followed by an escaped low one.
                    if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(self.error("lone leading surrogate in hex escape"));
                    }
                    self.pos += 2;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(self.error("lone leading surrogate in hex escape"));
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                char::from_u32(code).ok_or_else(|| self.error("invalid unicode code point"))?
            }
            _ => return Err(self.error("invalid escape")),
        };
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut value = 0;
        for _ in 0..4 {
            let Some(&b) = self.bytes.get(self.pos) else {
                return Err(self.eof("a string"));
            };
            let digit = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.error("invalid escape")),
            };
            value = value * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(value)
    }
}
