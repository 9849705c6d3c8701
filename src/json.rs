//! A small JSON reader and writer for the two documents this crate handles.
//!
//! The ListJobs document and error bodies are read here rather than through
//! serde_json: a general parser brings float parsing and formatting, a value
//! tree and generic error machinery into every WebAssembly download, and this
//! API needs none of them. What it does need is kept: full JSON syntax and
//! UTF-8 checking, escapes and surrogate pairs, skipping of unknown values at
//! any depth without recursion, and errors that name the JSON path.
//! `tests/differential.rs` checks it against serde_json on generated and
//! corrupted documents.

use std::borrow::Cow;

/// Raw control characters must be escaped inside a JSON string.
const CONTROL_IN_STRING: &str = "control character (\\u0000-\\u001F) found while parsing a string";

/// A failure while reading, before the JSON path is attached. Boxed: every
/// step of the reader returns a `Result` with it, which then is a pointer
/// wide, and only a failure allocates.
#[derive(Debug)]
pub(crate) struct JsonError(Box<JsonErrorAt>);

/// What a [`JsonError`] says.
#[derive(Debug)]
pub(crate) struct JsonErrorAt {
    /// What went wrong, e.g. `invalid type: string, expected a job object`.
    pub(crate) message: String,
    /// The byte offset where it went wrong, for the line and column.
    pub(crate) offset: usize,
    /// Where in the document, once the decoder has said: `jobs[3].status`.
    pub(crate) path: String,
}

impl JsonError {
    /// `message`, at the byte `offset`.
    pub(crate) fn new(message: String, offset: usize) -> Self {
        JsonError(Box::new(JsonErrorAt {
            message,
            offset,
            path: String::new(),
        }))
    }
}

impl std::ops::Deref for JsonError {
    type Target = JsonErrorAt;

    fn deref(&self) -> &JsonErrorAt {
        &self.0
    }
}

impl std::ops::DerefMut for JsonError {
    fn deref_mut(&mut self) -> &mut JsonErrorAt {
        &mut self.0
    }
}

/// What a JSON value starts with, for "invalid type" messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Object => "map",
            Kind::Array => "sequence",
            Kind::String => "string",
            Kind::Number => "number",
            Kind::Bool => "boolean",
            Kind::Null => "null",
        }
    }
}

/// A JSON number that is an integer, or why it is not usable as one.
pub(crate) enum Integer {
    /// An integer that fits in an `i64`.
    Value(i64),
    /// A fraction or exponent: a floating-point number.
    Float,
    /// An integer beyond the range of `i64`.
    TooLarge,
}

/// Reads JSON from a byte slice, one value at a time.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    /// The same bytes, when they are UTF-8 as a whole: checked in one pass,
    /// which is far cheaper than checking every string on its own. When they
    /// are not, each string is checked as it is read, so the error names
    /// the string at fault.
    text: Option<&'a str>,
    pos: usize,
}

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

// The reader's small steps (white space, punctuation, a run of string
// content, the UTF-8 view) are `#[inline]`: the crate's low inline threshold,
// set for size in .cargo/config.toml, would keep them out of line, and each
// call per token then costs more than the step. Inlined, a listJobs body
// decodes about a fifth faster in WebAssembly, for 0.75 KB of download.
impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            text: std::str::from_utf8(bytes).ok(),
            pos: 0,
        }
    }

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

    /// The current byte offset.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// An error at the current position.
    pub(crate) fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError::new(message.into(), self.pos)
    }

    fn eof(&self, what: &str) -> JsonError {
        let mut message = String::from("EOF while parsing ");
        message.push_str(what);
        self.error(message)
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The kind of the next value, after white space.
    #[inline]
    pub(crate) fn value_kind(&mut self) -> Result<Kind, JsonError> {
        self.skip_ws();
        Ok(match self.bytes.get(self.pos) {
            None => return Err(self.eof("a value")),
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            Some(_) => return Err(self.error("expected value")),
        })
    }

    /// Checks that only white space is left.
    pub(crate) fn end(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(())
    }

    /// Reads `{`, then calls `field` with each key; `field` must consume the
    /// value. Ends after `}`.
    pub(crate) fn object<E: From<JsonError>>(
        &mut self,
        mut field: impl FnMut(&mut Self, Cow<'a, str>) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.open(b'}') {
            return Ok(());
        }
        loop {
            self.key_start()?;
            let key = self.string()?;
            self.colon()?;
            field(self, key)?;
            if self.item_end(b'}')? {
                return Ok(());
            }
        }
    }

    /// Reads `[`, then calls `item` with each index; `item` must consume the
    /// value. Ends after `]`.
    pub(crate) fn array<E: From<JsonError>>(
        &mut self,
        mut item: impl FnMut(&mut Self, usize) -> Result<(), E>,
    ) -> Result<(), E> {
        if self.open(b']') {
            return Ok(());
        }
        let mut index = 0;
        loop {
            item(self, index)?;
            index += 1;
            if self.item_end(b']')? {
                return Ok(());
            }
        }
    }

    /// Steps over the `{` or `[` the caller peeked; true when the container
    /// is empty, with its `close` consumed too.
    #[inline]
    fn open(&mut self, close: u8) -> bool {
        self.skip_ws();
        self.pos += 1;
        self.skip_ws();
        let empty = self.bytes.get(self.pos) == Some(&close);
        if empty {
            self.pos += 1;
        }
        empty
    }

    /// Checks that a key (a string) starts here.
    #[inline]
    fn key_start(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b'"') => Ok(()),
            None => Err(self.eof("an object")),
            Some(_) => Err(self.error("key must be a string")),
        }
    }

    /// Reads the `:` after a key.
    #[inline]
    fn colon(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            None => Err(self.eof("an object")),
            Some(_) => Err(self.error("expected `:`")),
        }
    }

    /// After an item of the container that `close` ends: true when that was
    /// the last (the `close` is consumed), false after a `,`.
    #[inline]
    fn item_end(&mut self, close: u8) -> Result<bool, JsonError> {
        self.skip_ws();
        match self.bytes.get(self.pos) {
            Some(b',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(&b) if b == close => {
                self.pos += 1;
                Ok(true)
            }
            None if close == b'}' => Err(self.eof("an object")),
            None => Err(self.eof("a list")),
            Some(_) if close == b'}' => Err(self.error("expected `,` or `}`")),
            Some(_) => Err(self.error("expected `,` or `]`")),
        }
    }

    /// Reads a string value, borrowing it when it has no escapes.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
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
    fn skip_string(&mut self) -> Result<(), JsonError> {
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

    /// Reads a number, checking its full JSON syntax.
    pub(crate) fn integer(&mut self) -> Result<Integer, JsonError> {
        self.skip_ws();
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
                    self.pos += 1;
                }
            }
            None => return Err(self.eof("a value")),
            Some(_) => return Err(self.error("invalid number")),
        }
        let digits = &self.bytes[digits_start..self.pos];
        let mut float = false;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            self.digits()?;
            float = true;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            self.digits()?;
            float = true;
        }
        // "-0" has no integer form that keeps its sign; like serde_json, read
        // it as floating point.
        if float || (negative && digits == b"0") {
            return Ok(Integer::Float);
        }
        // Accumulated negatively so i64::MIN fits.
        let mut value: i64 = 0;
        for &d in digits {
            let next = value
                .checked_mul(10)
                .and_then(|v| v.checked_sub(i64::from(d - b'0')));
            match next {
                Some(v) => value = v,
                None => return Ok(Integer::TooLarge),
            }
        }
        if negative {
            Ok(Integer::Value(value))
        } else {
            Ok(value
                .checked_neg()
                .map_or(Integer::TooLarge, Integer::Value))
        }
    }

    fn digits(&mut self) -> Result<(), JsonError> {
        match self.bytes.get(self.pos) {
            Some(b'0'..=b'9') => {}
            None => return Err(self.eof("a value")),
            Some(_) => return Err(self.error("invalid number")),
        }
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        match self.bytes.get(self.pos..self.pos + word.len()) {
            Some(found) if found == word => {
                self.pos += word.len();
                Ok(())
            }
            _ if self.pos + word.len() > self.bytes.len() => Err(self.eof("a value")),
            _ => Err(self.error("expected ident")),
        }
    }

    /// Reads `null`.
    pub(crate) fn null(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        self.literal(b"null")
    }

    /// Skips one value of any kind and depth, checking its syntax, without
    /// recursion: a body nested 100,000 deep costs a stack entry each, on
    /// the heap, not a frame.
    pub(crate) fn skip(&mut self) -> Result<(), JsonError> {
        // The `close` byte of each open container.
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value, or the start of a non-empty container.
            match self.value_kind()? {
                Kind::Object | Kind::Array => {
                    let close = if self.bytes[self.pos] == b'{' {
                        b'}'
                    } else {
                        b']'
                    };
                    if !self.open(close) {
                        open.push(close);
                        if close == b'}' {
                            self.skip_key()?;
                        }
                        continue;
                    }
                }
                Kind::String => self.skip_string()?,
                Kind::Number => {
                    self.integer()?;
                }
                Kind::Bool => {
                    let word: &[u8] = if self.bytes[self.pos] == b't' {
                        b"true"
                    } else {
                        b"false"
                    };
                    self.literal(word)?;
                }
                Kind::Null => self.literal(b"null")?,
            }
            // After a value: the next item, or the ends of containers.
            while let Some(&close) = open.last() {
                if self.item_end(close)? {
                    open.pop();
                } else {
                    if close == b'}' {
                        self.skip_key()?;
                    }
                    break;
                }
            }
            if open.is_empty() {
                return Ok(());
            }
        }
    }

    /// Inside `skip`: a key and its colon.
    fn skip_key(&mut self) -> Result<(), JsonError> {
        self.key_start()?;
        self.skip_string()?;
        self.colon()
    }

    /// The 1-based line and column of a byte offset, for messages.
    pub(crate) fn line_column(&self, offset: usize) -> (usize, usize) {
        let before = &self.bytes[..offset.min(self.bytes.len())];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let column = before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        (line, column + 1)
    }
}

/// Appends `s` to `out` as a JSON string literal.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x00..=0x1f => "",
            _ => continue,
        };
        // The positions are of ASCII bytes, so `get` always succeeds; unlike
        // indexing it cannot panic, which keeps the panic path out.
        out.push_str(s.get(run..i).unwrap_or_default());
        if escaped.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(escaped);
        }
        run = i + 1;
    }
    out.push_str(s.get(run..).unwrap_or_default());
    out.push('"');
}

/// Appends the decimal digits of `n` to `out`, without `core::fmt`.
pub(crate) fn write_integer(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}
