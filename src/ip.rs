//! The IP address syntax the endpoint check needs: a dotted quad, and an
//! IPv6 literal. It accepts exactly what `std::net`'s parsers accept (the
//! tests below compare the two on generated input), in a fraction of their
//! size in the download.

/// A dotted-quad IPv4 address: four decimal numbers from 0 to 255, without
/// leading zeros.
pub(crate) fn parse_ipv4(text: &str) -> Option<[u8; 4]> {
    let mut octets = [0u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        *octet = parse_octet(parts.next()?)?;
    }
    parts.next().is_none().then_some(octets)
}

fn parse_octet(part: &str) -> Option<u8> {
    let bytes = part.as_bytes();
    let leading_zero = bytes.len() > 1 && bytes.first() == Some(&b'0');
    if bytes.is_empty() || bytes.len() > 3 || leading_zero {
        return None;
    }
    let mut value: u16 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u16::from(b - b'0');
    }
    u8::try_from(value).ok()
}

/// An IPv6 address in text form: eight groups of one to four hex digits,
/// `::` for one or more zero groups at most once, and a dotted quad for the
/// last two groups.
pub(crate) fn parse_ipv6(text: &str) -> Option<[u16; 8]> {
    let mut groups = [0u16; 8];
    match crate::error::find(text.as_bytes(), b"::") {
        None => {
            if parse_groups(text, &mut groups)? != 8 {
                return None;
            }
        }
        Some(at) => {
            let head = text.get(..at)?;
            let tail = text.get(at + 2..)?;
            let mut head_groups = [0u16; 8];
            let mut tail_groups = [0u16; 8];
            let head_len = parse_groups(head, &mut head_groups)?;
            let tail_len = parse_groups(tail, &mut tail_groups)?;
            // "::" stands for at least one group; a dotted quad only ends
            // the address.
            if head_len + tail_len > 7 || (head_len > 0 && head.contains('.')) {
                return None;
            }
            groups[..head_len].copy_from_slice(&head_groups[..head_len]);
            groups[8 - tail_len..].copy_from_slice(&tail_groups[..tail_len]);
        }
    }
    Some(groups)
}

/// Reads `part` (no `::`) into `out`; returns how many groups it held.
fn parse_groups(part: &str, out: &mut [u16; 8]) -> Option<usize> {
    if part.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut pieces = part.split(':').peekable();
    while let Some(piece) = pieces.next() {
        let last = pieces.peek().is_none();
        if last && piece.contains('.') {
            let [a, b, c, d] = parse_ipv4(piece)?;
            *out.get_mut(count)? = u16::from_be_bytes([a, b]);
            *out.get_mut(count + 1)? = u16::from_be_bytes([c, d]);
            return Some(count + 2);
        }
        if piece.is_empty() || piece.len() > 4 {
            return None;
        }
        let mut value: u16 = 0;
        for b in piece.bytes() {
            let digit = char::from(b).to_digit(16)?;
            value = (value << 4) | digit as u16;
        }
        *out.get_mut(count)? = value;
        count += 1;
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::{parse_ipv4, parse_ipv6};
    use std::net::{Ipv4Addr, Ipv6Addr};

    /// The same answers as `std::net` on `text`.
    fn agrees(text: &str) {
        let ours = parse_ipv4(text).map(Ipv4Addr::from);
        assert_eq!(ours, text.parse::<Ipv4Addr>().ok(), "IPv4 {text:?}");
        let ours = parse_ipv6(text).map(Ipv6Addr::from);
        assert_eq!(ours, text.parse::<Ipv6Addr>().ok(), "IPv6 {text:?}");
    }

    #[test]
    fn agrees_with_std_on_corner_cases() {
        for text in [
            "",
            "0.0.0.0",
            "127.0.0.1",
            "255.255.255.255",
            "256.1.1.1",
            "01.1.1.1",
            "1.1.1",
            "1.1.1.1.",
            "1..1.1",
            "+1.1.1.1",
            "1.1.1.1 ",
            "0x7f.0.0.1",
            "::",
            "::1",
            "1::",
            "::ffff:127.0.0.1",
            "::127.0.0.1",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":1::",
            "1:::2",
            "12345::",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "1.2.3.4::",
            "::1.2.3.4:5",
            "fe80::1%eth0",
            "FFFF::",
            "g::",
            "1:2:3:4:5:6:7",
            "::0:0:0:0:0:0:0",
            "0::0",
            ":::",
        ] {
            agrees(text);
        }
    }

    #[test]
    fn agrees_with_std_on_generated_text() {
        // Short strings over the alphabet that matters, so that most of them
        // are near misses of an address.
        const ALPHABET: &[u8] = b"0123456789abcdefABCDEFg:.:.:.01f";
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| char::from(ALPHABET[(next() % ALPHABET.len() as u64) as usize]))
                .collect();
            agrees(&text);
        }
        // And real addresses, written out by std in every form it writes.
        for _ in 0..20_000 {
            let mut groups = [0u16; 8];
            for group in &mut groups {
                *group = match next() % 4 {
                    0 => 0,
                    1 => 0xffff,
                    _ => next() as u16,
                };
            }
            let address = Ipv6Addr::from(groups);
            agrees(&address.to_string());
            agrees(&Ipv4Addr::from(next() as u32).to_string());
        }
    }
}
