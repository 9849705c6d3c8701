//! The regions CPH runs in, and their endpoints.

use crate::error::Error;

/// The CPH regions, as the official SDKs list them. A region missing here can
/// still be reached by passing its endpoint,
/// `https://cph.{region}.myhuaweicloud.com`.
pub const REGIONS: [&str; 13] = [
    "af-north-1",
    "ap-southeast-1",
    "ap-southeast-3",
    "cn-east-2",
    "cn-east-3",
    "cn-east-4",
    "cn-north-4",
    "cn-north-9",
    "cn-south-1",
    "cn-southwest-2",
    "la-north-2",
    "la-south-2",
    "ru-northwest-2",
];

/// The endpoint of a CPH region: `https://cph.{region}.myhuaweicloud.com`.
///
/// # Errors
///
/// [`crate::ErrorKind::InvalidInput`] for a region not in [`REGIONS`].
pub fn region_endpoint(region: &str) -> Result<String, Error> {
    if !REGIONS.contains(&region) {
        let mut why = String::from("it is not a CPH region (");
        // A loop, not `join`: std's generic join is 1 KB of the module.
        for (i, known) in REGIONS.iter().enumerate() {
            if i > 0 {
                why.push_str(", ");
            }
            why.push_str(known);
        }
        why.push_str("); pass endpoint for any other");
        return Err(Error::invalid_argument("region", &why));
    }
    let mut endpoint = String::from("https://cph.");
    endpoint.push_str(region);
    endpoint.push_str(".myhuaweicloud.com");
    Ok(endpoint)
}
