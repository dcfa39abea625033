//! A minimal HTTP/1.1 client for the admin API, on `std::net::TcpStream`.
//!
//! Why not `ureq` or `reqwest`: the admin API is plain HTTP on loopback (or reached through
//! an SSH tunnel), one request per connection, JSON or text bodies of a few kB. That needs a
//! request line, three headers and a response parser — about a hundred lines with no new
//! dependency (no TLS stack, no async runtime, no connection pool) in the operator's binary.
//! It sends `Connection: close` and reads to the end, so a response is bounded by either
//! `Content-Length` or the close; chunked bodies are decoded too.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long a request may take, per connect, write and read.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// Largest response accepted.
const MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("cannot reach the admin API at {addr}: {source}")]
    Connect { addr: String, source: std::io::Error },
    #[error("admin API at {addr}: {source}")]
    Io { addr: String, source: std::io::Error },
    #[error("admin API at {addr}: malformed response: {what}")]
    Malformed { addr: String, what: String },
}

/// A response: status code and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

/// `method path` on `addr` (`host:port`), with `Authorization: Bearer token` when given and
/// a JSON body when given.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    json: Option<&str>,
) -> Result<Response, HttpError> {
    let io = |source| HttpError::Io { addr: addr.to_string(), source };
    let target = resolve(addr)?;
    let mut stream = TcpStream::connect_timeout(&target, TIMEOUT)
        .map_err(|source| HttpError::Connect { addr: addr.to_string(), source })?;
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: */*\r\n");
    if let Some(token) = token {
        head.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = json.unwrap_or("");
    if json.is_some() {
        head.push_str("Content-Type: application/json\r\n");
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(body.as_bytes())).map_err(io)?;
    let mut raw = Vec::new();
    stream.take(MAX_RESPONSE_BYTES).read_to_end(&mut raw).map_err(io)?;
    parse_response(&raw).map_err(|what| HttpError::Malformed { addr: addr.to_string(), what })
}

fn resolve(addr: &str) -> Result<SocketAddr, HttpError> {
    let not_found = || std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
    addr.to_socket_addrs()
        .and_then(|mut a| a.next().ok_or_else(not_found))
        .map_err(|source| HttpError::Connect { addr: addr.to_string(), source })
}

fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of headers")?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| "headers are not UTF-8")?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().ok_or("no status line")?;
    let mut parts = status_line.splitn(3, ' ');
    let (version, code) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !version.starts_with("HTTP/1.") {
        return Err(format!("status line `{status_line}`"));
    }
    let status: u16 = code.parse().map_err(|_| format!("status line `{status_line}`"))?;
    let (mut length, mut chunked, mut content_type) = (None, false, None);
    for line in lines {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => length = Some(value.parse::<usize>().map_err(|_| "bad Content-Length")?),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "content-type" => content_type = Some(value.to_string()),
            _ => {}
        }
    }
    let rest = &raw[split + 4..];
    let body = if chunked {
        dechunk(rest)?
    } else if let Some(n) = length {
        rest.get(..n).ok_or("body shorter than Content-Length")?.to_vec()
    } else {
        rest.to_vec()
    };
    let body = String::from_utf8(body).map_err(|_| "body is not UTF-8")?;
    Ok(Response { status, content_type, body })
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let end = rest.windows(2).position(|w| w == b"\r\n").ok_or("chunk size line")?;
        let size_text = std::str::from_utf8(&rest[..end]).map_err(|_| "chunk size")?;
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| format!("chunk size `{size_text}`"))?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(rest.get(..size).ok_or("chunk shorter than its size")?);
        rest = rest.get(size + 2..).ok_or("chunk without CRLF")?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_with_a_length_chunked_or_until_close() {
        let r =
            parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-type: application/json\r\n\r\n{}extra")
                .unwrap();
        assert_eq!((r.status, r.body.as_str(), r.content_type.as_deref()), (200, "{}", Some("application/json")));
        let r = parse_response(
            b"HTTP/1.1 401 Unauthorized\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_str()), (401, "abcde"));
        let r = parse_response(b"HTTP/1.0 404 Not Found\r\n\r\nbye").unwrap();
        assert_eq!((r.status, r.body.as_str()), (404, "bye"));
        assert!(parse_response(b"SSH-2.0\r\n\r\n").is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort").is_err());
    }

    #[test]
    fn an_unreachable_engine_is_a_connect_error() {
        // Bind then drop: the port is (almost certainly) closed for the moment.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let e = request(&format!("127.0.0.1:{port}"), "GET", "/health", None, None).unwrap_err();
        assert!(matches!(e, HttpError::Connect { .. }), "{e}");
    }
}
