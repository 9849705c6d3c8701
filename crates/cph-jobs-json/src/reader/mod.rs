//! The reader: one value at a time from a byte slice, with the errors and
//! byte offsets the decoder turns into messages.

mod string;

use std::borrow::Cow;

/// A failure while reading, before the JSON path is attached. Boxed: every
/// step of the reader returns a `Result` with it, which then is a pointer
/// wide, and only a failure allocates.
#[derive(Debug)]
pub struct JsonError(Box<JsonErrorAt>);

/// What a [`JsonError`] says.
#[derive(Debug)]
pub struct JsonErrorAt {
    /// What went wrong, e.g. `invalid type: string, expected a job object`.
    pub message: String,
    /// The byte offset where it went wrong, for the line and column.
    pub offset: usize,
    /// Where in the document, once the decoder has said: `jobs[3].status`.
    pub path: String,
}

impl JsonError {
    /// `message`, at the byte `offset`.
    #[cold]
    #[inline(never)]
    pub fn new(message: String, offset: usize) -> Self {
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
pub enum Kind {
    /// `{`
    Object,
    /// `[`
    Array,
    /// `"`
    String,
    /// `-` or a digit
    Number,
    /// `true` or `false`
    Bool,
    /// `null`
    Null,
}

impl Kind {
    /// The kind's name as serde_json's messages give it: `map`, `sequence` ...
    pub fn name(self) -> &'static str {
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
pub enum Integer {
    /// An integer that fits in an `i64`.
    Value(i64),
    /// A fraction or exponent: a floating-point number.
    Float,
    /// An integer beyond the range of `i64`.
    TooLarge,
}

/// Reads JSON from a byte slice, one value at a time.
pub struct Reader<'a> {
    bytes: &'a [u8],
    /// The same bytes, when they are UTF-8 as a whole: checked in one pass,
    /// which is far cheaper than checking every string on its own. When they
    /// are not, each string is checked as it is read, so the error names
    /// the string at fault.
    text: Option<&'a str>,
    pos: usize,
}

// The reader's small steps (white space, punctuation, a run of string
// content, the UTF-8 view) are `#[inline]`: a low inline threshold would keep
// them out of line, and each call per token then costs more than the step.
// Inlined, a listJobs body decodes about a fifth faster in WebAssembly.
impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            text: std::str::from_utf8(bytes).ok(),
            pos: 0,
        }
    }

    /// The current byte offset.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// An error at the current position.
    #[cold]
    #[inline(never)]
    pub fn error(&self, message: impl Into<String>) -> JsonError {
        JsonError::new(message.into(), self.pos)
    }

    #[cold]
    #[inline(never)]
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
    pub fn value_kind(&mut self) -> Result<Kind, JsonError> {
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
    pub fn end(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return Err(self.error("trailing characters"));
        }
        Ok(())
    }

    /// Reads `{`, then calls `field` with each key; `field` must consume the
    /// value. Ends after `}`.
    pub fn object<E: From<JsonError>>(
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
    pub fn array<E: From<JsonError>>(
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

    /// Reads a number, checking its full JSON syntax.
    pub fn integer(&mut self) -> Result<Integer, JsonError> {
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
    pub fn null(&mut self) -> Result<(), JsonError> {
        self.skip_ws();
        self.literal(b"null")
    }

    /// Skips one value of any kind and depth, checking its syntax, without
    /// recursion: a body nested 100,000 deep costs a stack entry each, on
    /// the heap, not a frame.
    pub fn skip(&mut self) -> Result<(), JsonError> {
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
}

/// The 1-based line and column of a byte offset of `bytes`, for messages.
pub fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset.min(bytes.len())).unwrap_or_default();
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let column = before.len()
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
    (line, column + 1)
}
