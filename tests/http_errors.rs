//! Every error leaves the server as an RFC 9457 problem document, naming what was wrong.

use revenge_tests::{TestEnv, client};

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let response = client()
        .get(format!("{}/no/such/thing", server.server.base_url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 404);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(body["status"], 404);
    assert_eq!(body["code"], "not_found");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("/no/such/thing"))
    );
    server.stop().await;
}

#[tokio::test]
async fn wrong_method_is_a_405_problem() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let reply = server
        .call(reqwest::Method::DELETE, "/health/live", None, None)
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.body["code"], "method_not_allowed");
    server.stop().await;
}

#[cfg(feature = "movie")]
#[tokio::test]
async fn malformed_query_and_path_name_the_field() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    for (path, field) in [
        ("/api/v1/movie/movies?limit=ten", "limit"),
        ("/api/v1/movie/movies?offset=-1", "offset"),
        ("/api/v1/movie/movies?limit=100000", "limit"),
        ("/api/v1/movie/movies?sort=colour", "sort"),
        ("/api/v1/movie/movies?year=nineteen", "year"),
    ] {
        let reply = server.get(path).await;
        assert_eq!(reply.status, 400, "{path}: {:?}", reply.body);
        assert_eq!(reply.body["field"], field, "{path}: {:?}", reply.body);
        assert!(
            reply.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains(field)),
            "{:?}",
            reply.body
        );
    }
    let reply = server.get("/api/v1/movie/movies/abc").await;
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert_eq!(reply.body["code"], "invalid_request");
    let reply = server.get("/api/v1/movie/movies/987654").await;
    assert_eq!(reply.status, 404, "{:?}", reply.body);
    assert_eq!(reply.body["detail"], "movie 987654 not found");
    server.stop().await;
}

#[tokio::test]
async fn malformed_json_bodies_name_the_field() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let base = server.server.base_url();
    for (body, field) in [
        (r#"{"username": 5, "password": "x"}"#, Some("username")),
        (r#"{"username": "a", "password": "b", "extra": 1}"#, None),
        (r#"{"username": "a""#, None),
    ] {
        let response = client()
            .post(format!("{base}/api/v1/auth/login"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status().as_u16(), 400, "{body}");
        let problem: serde_json::Value = response.json().await.unwrap_or_default();
        assert_eq!(problem["code"], "invalid_request", "{problem}");
        if let Some(field) = field {
            assert_eq!(problem["field"], field, "{problem}");
        }
    }
    let unknown = client()
        .post(format!("{base}/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(r#"{"username": "a", "password": "b", "evil": 1}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let problem: serde_json::Value = unknown.json().await.unwrap_or_default();
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("evil")),
        "{problem}"
    );
    let oversized = client()
        .post(format!("{base}/api/v1/auth/login"))
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"username": "a", "password": "{}"}}"#,
            "x".repeat(3 << 20)
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(oversized.status().as_u16(), 413);
    server.stop().await;
}

#[tokio::test]
async fn request_id_is_echoed_when_given() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let response = client()
        .get(format!("{}/health/live", server.server.base_url()))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("abc-123")
    );
    let reply = server
        .call(reqwest::Method::GET, "/health/ready", None, None)
        .await;
    assert_eq!(
        (reply.status, reply.body["status"].as_str()),
        (200, Some("ready"))
    );
    server.stop().await;
}
