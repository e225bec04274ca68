//! Bounds of every numeric and size parameter the API takes, checked here so that each
//! refusal is a 400 that names the parameter and its bound (and no request can make the
//! index allocate without limit: tantivy's top-k collector sizes itself by offset + limit).

use super::error::ApiError;

/// Hits per page.
pub const MAX_LIMIT: usize = 100;
/// The deepest hit a search may reach: `offset + limit`.
pub const MAX_WINDOW: usize = 10_000;
/// Characters in a search query `q`.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Characters in a filter (`channel`, `place`, `handler`, `category`, `from`, `to`) and in
/// ids (`similar_to`, path ids) and place prefixes.
pub const MAX_FIELD_CHARS: usize = 200;
/// Cases in one NDJSON request to `POST /v1/cases`.
pub const MAX_NDJSON_LINES: usize = 10_000;
/// Bytes of one case (a JSON body or an NDJSON line).
pub const MAX_CASE_BYTES: usize = 256 * 1024;
/// Files named in one dedupe job request.
pub const MAX_JOB_INPUTS: usize = 100;

/// Checks `limit` (default 10) and `offset` (default 0) and returns them.
pub fn page(limit: Option<usize>, offset: Option<usize>) -> Result<(usize, usize), ApiError> {
    let limit = limit.unwrap_or(10);
    let offset = offset.unwrap_or(0);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}, got {limit}"
        )));
    }
    if offset.saturating_add(limit) > MAX_WINDOW {
        return Err(ApiError::bad_request(format!(
            "offset + limit must be at most {MAX_WINDOW} (got {offset} + {limit}); narrow the search with filters instead of paging deeper"
        )));
    }
    Ok((limit, offset))
}

/// Checks that the text parameter `name` has at most `max` characters.
pub fn text(name: &str, value: Option<&str>, max: usize) -> Result<(), ApiError> {
    match value {
        Some(v) if v.chars().count() > max => Err(ApiError::bad_request(format!(
            "{name} must be at most {max} characters, got {}",
            v.chars().count()
        ))),
        _ => Ok(()),
    }
}

/// Checks the size of one case's JSON.
pub fn case_bytes(len: usize) -> Result<(), ApiError> {
    if len > MAX_CASE_BYTES {
        return Err(ApiError::bad_request(format!(
            "a case must be at most {MAX_CASE_BYTES} bytes of JSON, got {len}"
        )));
    }
    Ok(())
}

/// Checks the number of cases in one NDJSON request.
pub fn ndjson_lines(n: usize) -> Result<(), ApiError> {
    if n > MAX_NDJSON_LINES {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_NDJSON_LINES} cases per NDJSON request, got {n}; split the file"
        )));
    }
    Ok(())
}

/// Checks the number of files in one dedupe job request.
pub fn job_inputs(n: usize) -> Result<(), ApiError> {
    if n == 0 || n > MAX_JOB_INPUTS {
        return Err(ApiError::bad_request(format!(
            "a job names between 1 and {MAX_JOB_INPUTS} inputs, got {n}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_bounded() {
        assert_eq!(page(None, None).unwrap(), (10, 0));
        assert_eq!(page(Some(100), Some(9_900)).unwrap(), (100, 9_900));
        assert!(page(Some(0), None).is_err());
        assert!(page(Some(101), None).is_err());
        assert!(page(Some(10), Some(9_991)).is_err());
        let e = page(None, Some(usize::MAX)).unwrap_err();
        assert!(e.message.contains("10000"), "{}", e.message);
        assert!(text("q", Some(&"噪".repeat(1_001)), MAX_QUERY_CHARS).is_err());
        assert!(text("q", Some(&"噪".repeat(1_000)), MAX_QUERY_CHARS).is_ok());
    }
}
