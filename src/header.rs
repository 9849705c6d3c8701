//! A header as a named pair, for what the crate hands out and takes in.

/// An HTTP header: a name and a value. The headers a request carries
/// ([`ListJobsRequest::headers_at`](crate::ListJobsRequest::headers_at), and
/// what [`sign`](crate::sign::sign) adds) are `Header`, with the names the
/// crate knows; the signer reads the caller's own as any `Header<N, V>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header<N = &'static str, V = String> {
    /// The name, as sent.
    pub name: N,
    /// The value, as sent.
    pub value: V,
}

impl<N, V> Header<N, V> {
    /// A header named `name` with `value`.
    #[must_use]
    pub fn new(name: N, value: V) -> Self {
        Header { name, value }
    }
}

/// Anything read as a name and a value: a [`Header`], a query parameter
/// ([`Param`](crate::sign::Param)), or a `(name, value)` pair, so that a
/// caller can pass what it already holds to the signer.
pub trait NameValue {
    /// The name.
    fn name(&self) -> &str;
    /// The value.
    fn value(&self) -> &str;
}

impl<N: AsRef<str>, V: AsRef<str>> NameValue for Header<N, V> {
    fn name(&self) -> &str {
        self.name.as_ref()
    }
    fn value(&self) -> &str {
        self.value.as_ref()
    }
}

impl<N: AsRef<str>, V: AsRef<str>> NameValue for (N, V) {
    fn name(&self) -> &str {
        self.0.as_ref()
    }
    fn value(&self) -> &str {
        self.1.as_ref()
    }
}
