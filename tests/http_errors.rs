//! Every error leaves the server as an RFC 9457 problem document, naming what was wrong.

use revenge_tests::{TestEnv, client, get_json};

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let response = client()
        .get(format!("{}/no/such/thing", server.base_url()))
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
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn wrong_method_is_a_405_problem() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let response = client()
        .delete(format!("{}/api/v1/system/info", server.base_url()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status().as_u16(), 405);
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    assert_eq!(body["code"], "method_not_allowed");
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
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
        let (status, body) = get_json(&server, path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["field"], field, "{path}: {body}");
        assert!(
            body["detail"].as_str().is_some_and(|d| d.contains(field)),
            "{body}"
        );
    }
    let (status, body) = get_json(&server, "/api/v1/movie/movies/abc").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_request");
    let (status, body) = get_json(&server, "/api/v1/movie/movies/987654").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["detail"], "movie 987654 not found");
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn request_id_is_echoed_when_given() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let response = client()
        .get(format!("{}/health/live", server.base_url()))
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
    let (status, body) = get_json(&server, "/health/ready").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
}
