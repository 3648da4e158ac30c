//! A deliberately unreliable HTTP/1.1 server on 127.0.0.1:0, written on a raw `TcpListener`
//! so that it can misbehave below HTTP: drop connections, stall mid-body, send garbage.
//! It counts requests and keeps their bodies.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers with this status and body.
    Reply(u16, &'static str),
    /// Reads the request, then closes the connection without a word.
    Drop,
    /// Sends the headers and half the body, then stalls.
    StallBody,
    /// Reads the request and stalls before answering.
    StallHeaders,
    /// Answers with this status, extra header lines (each ending in `\r\n`) and body.
    ReplyWithHeaders(u16, &'static str, &'static str),
    /// Answers 200 with a body of this many bytes; `chunked` leaves out `content-length`.
    Huge { bytes: usize, chunked: bool },
}

/// The running server: its base URL, and what it saw.
pub struct Faulty {
    pub base: String,
    pub bodies: Arc<Mutex<Vec<String>>>,
}

impl Faulty {
    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.bodies.lock().unwrap().len()
    }
}

/// Plays `script` one entry per request; the last entry repeats.
pub async fn start(script: Vec<Fault>) -> Faulty {
    start_on("127.0.0.1:0", script).await
}

/// [`start`] on a given address (to bring up a server on a port that refused connections
/// a moment ago).
pub async fn start_on(addr: &str, script: Vec<Fault>) -> Faulty {
    let listener = TcpListener::bind(addr).await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let seen = bodies.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            let script = script.clone();
            tokio::spawn(async move {
                let Some(body) = read_request(&mut socket).await else {
                    return;
                };
                let index = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(body);
                    seen.len() - 1
                };
                let fault = script[index.min(script.len() - 1)].clone();
                match fault {
                    Fault::Reply(status, body) => {
                        let head = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.write_all(body.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                    Fault::ReplyWithHeaders(status, headers, body) => {
                        let head = format!(
                            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n{headers}content-length: {}\r\nconnection: close\r\n\r\n",
                            body.len()
                        );
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.write_all(body.as_bytes()).await;
                        let _ = socket.shutdown().await;
                    }
                    Fault::Huge { bytes, chunked } => {
                        let head = if chunked {
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".to_owned()
                        } else {
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {bytes}\r\nconnection: close\r\n\r\n"
                            )
                        };
                        let _ = socket.write_all(head.as_bytes()).await;
                        let block = vec![b' '; 64 * 1024];
                        let mut left = bytes;
                        while left > 0 {
                            let n = left.min(block.len());
                            let written = if chunked {
                                let mut framed = format!("{n:x}\r\n").into_bytes();
                                framed.extend_from_slice(&block[..n]);
                                framed.extend_from_slice(b"\r\n");
                                socket.write_all(&framed).await
                            } else {
                                socket.write_all(&block[..n]).await
                            };
                            if written.is_err() {
                                return;
                            }
                            left -= n;
                        }
                        if chunked {
                            let _ = socket.write_all(b"0\r\n\r\n").await;
                        }
                        let _ = socket.shutdown().await;
                    }
                    Fault::Drop => drop(socket),
                    Fault::StallBody => {
                        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 64\r\nconnection: close\r\n\r\n{\"return_code\":1,";
                        let _ = socket.write_all(head.as_bytes()).await;
                        let _ = socket.flush().await;
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    Fault::StallHeaders => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    Faulty { base, bodies }
}

/// Reads one request (headers, then `content-length` bytes); returns its body, or the query
/// string for a bodiless `GET`.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&data[head_end..head_end + length]).into_owned();
    if body.is_empty() {
        let request_line = String::from_utf8_lossy(&data[..head_end]);
        return Some(request_line.lines().next().unwrap_or_default().to_owned());
    }
    Some(body)
}
