//! Events reach webhooks (signed, retried, surviving a crash), script hooks and the per-user
//! event stream; the jobs API shows the work.
#![allow(
    clippy::unwrap_used,
    reason = "a test fails by panicking, helpers included"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use futures_util::StreamExt;
use hmac::{Hmac, Mac};
use reqwest::Method;
use revenge_core::{Event, ItemRef};
use revenge_tests::{TestEnv, TestServer, login};
use serde_json::json;
use sha2::Sha256;

const SECRET: &str = "webhook-test-secret";

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: String,
}

/// A webhook receiver on loopback answering with the scripted statuses, then 200.
#[derive(Clone)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Vec<StatusCode>>>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receiver.got.lock().unwrap().push(Received {
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut script = receiver.script.lock().unwrap();
    if script.is_empty() {
        StatusCode::OK
    } else {
        script.remove(0)
    }
}

async fn start_receiver(
    listener: tokio::net::TcpListener,
    script: Vec<StatusCode>,
) -> Arc<Mutex<Vec<Received>>> {
    let receiver = Receiver {
        got: Arc::default(),
        script: Arc::new(Mutex::new(script)),
    };
    let got = receiver.got.clone();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    got
}

async fn eventually<F: FnMut() -> bool>(what: &str, mut check: F) {
    for _ in 0..300 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for: {what}");
}

/// Quick retries for tests.
fn fast_jobs(config: &mut revenge_config::Config) {
    config.jobs.retry_base_secs = 1;
    config.jobs.retry_max_secs = 1;
    config.jobs.heartbeat_secs = 1;
    config.jobs.lease_secs = 2;
    config.jobs.poll_interval_ms = 50;
}

/// The README's recipe: HMAC-SHA256 over "<timestamp>.<body>" with the secret, hex, prefixed.
fn verify(received: &Received) -> bool {
    let header = |name: &str| {
        received
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let timestamp = header("x-revenge-timestamp");
    let Some(signature) = header("x-revenge-signature")
        .strip_prefix("sha256=")
        .map(str::to_owned)
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{}", received.body).as_bytes());
    mac.verify_slice(&hex::decode(signature).unwrap_or_default())
        .is_ok()
}

async fn add_webhook(server: &TestServer, url: &str) -> i64 {
    let reply = server
        .call(
            Method::POST,
            "/api/v1/webhooks",
            Some(&server.admin),
            Some(json!({
                "name": "receiver", "url": url, "events": ["user.login.succeeded"],
                "secret": SECRET, "headers": {"x-extra": "yes"},
            })),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert!(
        !reply.body.to_string().contains(SECRET),
        "secrets are write-only"
    );
    reply.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn webhooks_are_signed_and_retried_until_delivered_once() {
    let env = TestEnv::new().await;
    let mut config = env.config();
    fast_jobs(&mut config);
    let server = TestServer::start_with(config).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = start_receiver(listener, vec![StatusCode::INTERNAL_SERVER_ERROR]).await;
    let webhook = add_webhook(&server, &url).await;

    login(
        &server.server,
        revenge_tests::ADMIN.0,
        revenge_tests::ADMIN.1,
    )
    .await;
    eventually("a retry succeeds", || got.lock().unwrap().len() >= 2).await;
    // Nothing more arrives once it was delivered.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one failed attempt, one delivery");
    for received in &got {
        assert!(
            verify(received),
            "the signature verifies: {:?}",
            received.headers
        );
        assert_eq!(
            received
                .headers
                .get("x-extra")
                .and_then(|v| v.to_str().ok()),
            Some("yes")
        );
        let body: serde_json::Value = serde_json::from_str(&received.body).unwrap();
        assert_eq!(body["type"], "user.login.succeeded");
        assert_eq!(body["payload"]["username"], revenge_tests::ADMIN.0);
        assert!(body["id"].is_string() && body["timestamp"].is_string());
    }
    assert_eq!(got[0].body, got[1].body, "a retry sends the same event");
    assert_eq!(
        got[0].headers.get("x-revenge-delivery"),
        got[1].headers.get("x-revenge-delivery")
    );

    let log = server
        .get(&format!("/api/v1/webhooks/{webhook}/deliveries"))
        .await
        .body;
    assert_eq!(log[0]["state"], "delivered", "{log}");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["response_code"], 200);

    let jobs = server.get("/api/v1/jobs?kind=webhook.deliver").await;
    assert_eq!(jobs.status, 200);
    assert_eq!(
        jobs.body["items"][0]["state"], "succeeded",
        "{:?}",
        jobs.body
    );
    server.stop().await;
}

#[tokio::test]
async fn a_delivery_pending_at_a_crash_is_sent_after_restart() {
    let env = TestEnv::new().await;
    let mut config = env.config();
    fast_jobs(&mut config);
    // A port with nobody listening yet.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = probe.local_addr().unwrap();
    drop(probe);
    let url = format!("http://{addr}/hook");

    let server = TestServer::start_with(config.clone()).await;
    let webhook = add_webhook(&server, &url).await;
    login(
        &server.server,
        revenge_tests::ADMIN.0,
        revenge_tests::ADMIN.1,
    )
    .await;
    let mut failed_once = false;
    for _ in 0..100 {
        let log = server
            .get(&format!("/api/v1/webhooks/{webhook}/deliveries"))
            .await
            .body;
        if log[0]["attempts"].as_i64().unwrap_or(0) >= 1 {
            assert_eq!(log[0]["state"], "pending");
            failed_once = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        failed_once,
        "the first attempt failed against a closed port"
    );
    server.server.kill().await;

    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let got = start_receiver(listener, Vec::new()).await;
    let server = TestServer::start_with(config).await;
    eventually("delivered after the restart", || {
        got.lock()
            .unwrap()
            .iter()
            .any(|r| r.body.contains("user.login.succeeded"))
    })
    .await;
    assert!(got.lock().unwrap().iter().all(verify));
    let log = server
        .get(&format!("/api/v1/webhooks/{webhook}/deliveries"))
        .await
        .body;
    let delivered = log
        .as_array()
        .map(|l| l.iter().filter(|d| d["state"] == "delivered").count())
        .unwrap_or(0);
    assert!(delivered >= 1, "{log}");
    server.stop().await;
}

fn item(library_id: i64, title: &str) -> Event {
    Event::ItemAdded(ItemRef {
        module: "movie".to_owned(),
        item_id: 1,
        library_id,
        title: title.to_owned(),
        rating_level: Some(0),
    })
}

/// Reads an event stream until `until` shows up; returns every `data:` line seen.
async fn read_stream(response: reqwest::Response, until: &str) -> String {
    let mut stream = response.bytes_stream();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains(until) {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("no `{until}` in the stream; got {seen}"));
        match chunk {
            Some(Ok(bytes)) => seen.push_str(&String::from_utf8_lossy(&bytes)),
            _ => break,
        }
    }
    seen
}

#[tokio::test]
async fn the_event_stream_shows_each_user_only_what_they_may_see() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let module = revenge_tests::expected_modules()
        .first()
        .copied()
        .unwrap_or("movie");
    if revenge_tests::expected_modules().is_empty() {
        server.stop().await;
        return;
    }
    let mine = server.library(module, "Mine").await;
    let theirs = server.library(module, "Theirs").await;
    let (_, me) = server.user("me", json!({"library_ids": [mine]})).await;
    let (_, them) = server.user("them", json!({"library_ids": [theirs]})).await;
    let open = |token: String| {
        let url = format!("{}/api/v1/events", server.server.base_url());
        async move {
            let response = revenge_tests::client()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 200);
            response
        }
    };
    let my_stream = open(me.clone()).await;
    let their_stream = open(them.clone()).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let bus = server.server.events();
    bus.publish(item(theirs, "secret-of-theirs"));
    bus.publish(item(mine, "mine-1"));
    bus.publish(item(theirs, "theirs-1"));
    let mine_seen = read_stream(my_stream, "mine-1").await;
    let theirs_seen = read_stream(their_stream, "theirs-1").await;
    assert!(mine_seen.contains("event: item.added"), "{mine_seen}");
    assert!(!mine_seen.contains("secret-of-theirs"), "{mine_seen}");
    assert!(theirs_seen.contains("secret-of-theirs"), "{theirs_seen}");
    assert!(!theirs_seen.contains("mine-1"), "{theirs_seen}");
    let anonymous = server.call(Method::GET, "/api/v1/events", None, None).await;
    assert_eq!(anonymous.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn a_hook_receives_the_event_json() {
    let env = TestEnv::new().await;
    let out = env.data_dir().join("hook-output.json");
    let mut config = env.config();
    config.hooks.item_added = Some(vec![
        "sh".to_owned(),
        "-c".to_owned(),
        format!("cat > '{}'", out.display()),
    ]);
    let server = TestServer::start_with(config).await;
    server.server.events().publish(item(1, "The Matrix"));
    eventually("the hook wrote its input", || {
        std::fs::read_to_string(&out).is_ok_and(|s| s.contains("The Matrix"))
    })
    .await;
    let json: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&out).unwrap().trim()).unwrap();
    assert_eq!(json["type"], "item.added");
    assert_eq!(json["payload"]["title"], "The Matrix");
    server.stop().await;
}

#[tokio::test]
async fn the_jobs_api_is_for_administrators_and_cancels() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    let job = server
        .server
        .jobs()
        .enqueue(revenge_jobs::NewJob::new("test.later", json!({"n": 1})).at(later))
        .await
        .unwrap();
    let (_, user) = server.user("plain", json!({})).await;
    assert_eq!(server.get_as(&user, "/api/v1/jobs").await.status, 403);
    let listed = server
        .get("/api/v1/jobs?state=queued&kind=test.later")
        .await;
    assert_eq!(listed.body["total"], 1, "{:?}", listed.body);
    let one = server.get(&format!("/api/v1/jobs/{}", job.id)).await;
    assert_eq!(one.body["payload"]["n"], 1);
    let cancelled = server
        .call(
            Method::POST,
            &format!("/api/v1/jobs/{}/cancel", job.id),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(cancelled.status, 200, "{:?}", cancelled.body);
    assert_eq!(cancelled.body["state"], "cancelled");
    let again = server
        .call(
            Method::POST,
            &format!("/api/v1/jobs/{}/cancel", job.id),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(again.status, 409);
    server.stop().await;
}
