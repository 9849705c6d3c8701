//! Batches and pages: splitting many request ids into calls the API takes,
//! following `offset`/`limit` pages to the end, and merging what came back.

use crate::error::Error;
use crate::input::{validate_id, Page, MAX_IDS_PER_CALL, MAX_LIMIT};
use crate::model::ListJobsResponse;

/// The most jobs a call that collects pages (`listAllJobs`, each poll of
/// `waitForJobs`) holds by default: far more than any real batch, and with
/// [`BYTES_PER_CAPPED_JOB`] small enough that the WebAssembly instance stays
/// well under 256 MiB.
pub const DEFAULT_MAX_TOTAL_JOBS: u32 = 100_000;

/// The bytes of page bodies a collecting call may read for each job of its
/// cap: the total-bytes cap is `max_total_jobs × 640` (61 MiB by default).
/// A job of the API's own example is about 330 bytes of JSON, so a real batch
/// meets the job cap first; a server that pads its jobs meets this one, before
/// the decoded jobs and the merged result outgrow memory.
pub const BYTES_PER_CAPPED_JOB: u64 = 640;

/// Splits `ids` into groups of at most [`MAX_IDS_PER_CALL`], in order, with
/// repeated ids dropped (a repeat would list the same jobs twice).
///
/// # Errors
///
/// [`crate::ErrorKind::InvalidInput`] when `ids` is empty or an id is not a
/// valid request id.
pub fn chunk_ids<S: AsRef<str>>(ids: &[S]) -> Result<Vec<Vec<String>>, Error> {
    if ids.is_empty() {
        return Err(Error::invalid_argument(
            "requestIds",
            "it must hold at least one request id",
        ));
    }
    // A set of the ids seen so far makes each check constant time: a search
    // of `unique` made 100,000 ids take seconds. The Vec keeps their order.
    let mut seen = SeenIds::with_capacity(ids.len());
    let mut unique: Vec<&str> = Vec::with_capacity(ids.len());
    for id in ids {
        let id = id.as_ref();
        validate_id("requestIds", id)?;
        if seen.insert(&unique, id) {
            unique.push(id);
        }
    }
    Ok(unique
        .chunks(MAX_IDS_PER_CALL)
        .map(|chunk| chunk.iter().map(|id| (*id).to_owned()).collect())
        .collect())
}

/// The request ids seen so far, as positions in the list of unique ids: an
/// open-addressing table with FNV-1a hashing. Hand-written because
/// `std::collections::HashSet` (SipHash and its generic table) added 2.8 KB
/// gzip to the npm package's download, for sets of a few ids at most.
struct SeenIds {
    slots: Vec<u32>,
}

impl SeenIds {
    const EMPTY: u32 = u32::MAX;

    fn with_capacity(ids: usize) -> Self {
        // At most half full, so a probe ends soon.
        let size = ids.saturating_mul(2).max(8).next_power_of_two();
        SeenIds {
            slots: vec![Self::EMPTY; size],
        }
    }

    /// Records `id` as the next of `unique` (the ids recorded so far, in
    /// order), unless an equal id was recorded before: `true` when it is new.
    fn insert(&mut self, unique: &[&str], id: &str) -> bool {
        let mask = self.slots.len() - 1;
        let mut hash: u32 = 0x811c_9dc5;
        for byte in id.bytes() {
            hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
        }
        let mut slot = hash as usize & mask;
        loop {
            match self.slots[slot] {
                Self::EMPTY => {
                    // Fewer than u32::MAX ids: a larger list does not fit in
                    // memory as `&str`s on wasm32.
                    self.slots[slot] = u32::try_from(unique.len()).unwrap_or(Self::EMPTY - 1);
                    return true;
                }
                seen if unique.get(seen as usize) == Some(&id) => return false,
                _ => slot = (slot + 1) & mask,
            }
        }
    }
}

/// What to do after a page arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageStep {
    /// Keep the page and ask for the next one at this offset.
    Next(u32),
    /// Keep the page; it was the last.
    Last,
    /// Drop the page and stop: the server sent the previous page again,
    /// which means it ignores `offset` (an older API version).
    Repeated,
}

/// Follows the pages of one call, deciding after each whether there is
/// another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor {
    offset: u32,
    limit: u32,
    previous_first_job: Option<String>,
}

impl PageCursor {
    /// Starts at `offset`, asking for pages of `limit` jobs.
    #[must_use]
    pub fn new(offset: u32, limit: u32) -> Self {
        PageCursor {
            offset,
            limit,
            previous_first_job: None,
        }
    }

    /// Starts where `page` says, with the service's defaults (offset 0,
    /// pages of [`MAX_LIMIT`]) for what it leaves out.
    #[must_use]
    pub fn start(page: Page) -> Self {
        Self::new(page.offset.unwrap_or(0), page.limit.unwrap_or(MAX_LIMIT))
    }

    /// The page to ask for next.
    #[must_use]
    pub fn page(&self) -> Page {
        Page {
            offset: Some(self.offset),
            limit: Some(self.limit),
        }
    }

    /// The offset of the page to ask for next.
    #[must_use]
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The page size asked for.
    #[must_use]
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Looks at the page that just arrived and moves on.
    ///
    /// A short page is the last. So is a page longer than asked for: that
    /// server does not page at all and sent everything. A full page means
    /// there may be more, unless it starts with the same job as the page
    /// before it.
    #[must_use]
    pub fn advance(&mut self, page: &ListJobsResponse) -> PageStep {
        let first = page.jobs.first().map(|job| job.job_id.as_str());
        if first.is_some() && first == self.previous_first_job.as_deref() {
            return PageStep::Repeated;
        }
        let len = page.jobs.len();
        if len != self.limit as usize {
            return PageStep::Last;
        }
        match self.offset.checked_add(self.limit) {
            Some(next) => {
                self.offset = next;
                self.previous_first_job = first.map(str::to_owned);
                PageStep::Next(next)
            }
            None => PageStep::Last,
        }
    }
}

/// Marks every job of `page` with `request_id` when the page answered a call
/// for that one id, so each job of a merged batch says where it came from.
/// A job that already names its request (should the service ever send one)
/// keeps it. For a call with several ids the service does not say which job
/// belongs to which, so those jobs stay unmarked.
pub fn attribute(page: &mut ListJobsResponse, ids: &[String]) {
    if let [only] = ids {
        for job in &mut page.jobs {
            if job.request_id.is_none() {
                job.request_id = Some(only.clone());
            }
        }
    }
}

/// Merges pages in order into one response whose `request_id` is every id
/// asked for, comma-separated as `request_ids` takes them.
#[must_use]
pub fn merge<S: AsRef<str>>(ids: &[S], pages: Vec<ListJobsResponse>) -> ListJobsResponse {
    let mut request_id = String::new();
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            request_id.push(',');
        }
        request_id.push_str(id.as_ref());
    }
    let mut jobs = Vec::with_capacity(pages.iter().map(|p| p.jobs.len()).sum());
    for page in pages {
        jobs.extend(page.jobs);
    }
    ListJobsResponse { request_id, jobs }
}

#[cfg(test)]
mod tests {
    use super::chunk_ids;

    #[test]
    fn chunk_ids_keeps_the_first_of_each_id_in_order() {
        let ids = ["c", "a", "c", "b", "a", "d", "b"];
        assert_eq!(chunk_ids(&ids).unwrap(), [["c", "a", "b", "d"]]);
    }

    #[test]
    fn chunk_ids_groups_many_ids_in_order_of_first_sight() {
        // 100,000 ids, every other one a repeat: quick, and in order.
        let ids: Vec<String> = (0..100_000)
            .map(|i: usize| format!("id{}", if i % 2 == 0 { i / 2 } else { i }))
            .collect();
        let groups = chunk_ids(&ids).unwrap();
        let flat: Vec<&String> = groups.iter().flatten().collect();
        let mut expected: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for id in &ids {
            if seen.insert(id.clone()) {
                expected.push(id.clone());
            }
        }
        assert_eq!(flat.len(), expected.len());
        assert!(flat.iter().zip(&expected).all(|(a, b)| *a == b));
        assert!(groups.iter().all(|group| group.len() <= 20));
    }
}
