//! Sign-in, sessions, API keys, throttling and permissions, over real HTTP.

use reqwest::Method;
use revenge_core::Event;
use revenge_tests::{ADMIN, Reply, TestEnv, call, login, start};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// Routes that answer without credentials.
const PUBLIC: &[&str] = &[
    "/health/live",
    "/health/ready",
    "/api/v1/system/info/public",
    "/api/v1/setup",
    "/api/v1/auth/login",
];

async fn sql(env: &TestEnv, statement: &str) {
    let db = env.connect().await;
    db.conn
        .execute_unprepared(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
    let _ = db.close().await;
}

/// For tests that expire sessions or keys by writing the database behind the server's back:
/// a cached lookup would be reused until its TTL (the cache honours expiry times and every
/// revocation made through the server, but cannot see a row changed by hand).
fn uncached_sign_ins() -> revenge_server::StartOptions {
    revenge_server::StartOptions {
        cache: Some(revenge_cache::CacheSettings {
            session_ttl_secs: 0,
            ..revenge_cache::CacheSettings::default()
        }),
        ..revenge_server::StartOptions::default()
    }
}

#[tokio::test]
async fn setup_creates_the_first_admin_once() {
    let env = TestEnv::new().await;
    let server = start(env.config()).await;
    let token = server
        .setup_token()
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("a fresh server has a setup token"));
    let public = call(
        &server,
        Method::GET,
        "/api/v1/system/info/public",
        None,
        None,
    )
    .await;
    assert_eq!(public.body["setup_required"], true, "{:?}", public.body);

    let body = |token: &str| json!({"setup_token": token, "username": "root", "password": "root-password"});
    let wrong = call(
        &server,
        Method::POST,
        "/api/v1/setup",
        None,
        Some(body("nope")),
    )
    .await;
    assert_eq!(wrong.status, 403, "{:?}", wrong.body);
    let created = call(
        &server,
        Method::POST,
        "/api/v1/setup",
        None,
        Some(body(&token)),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["role"], "admin");
    assert!(created.body.get("password_hash").is_none());
    let again = call(
        &server,
        Method::POST,
        "/api/v1/setup",
        None,
        Some(body(&token)),
    )
    .await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    let public = call(
        &server,
        Method::GET,
        "/api/v1/system/info/public",
        None,
        None,
    )
    .await;
    assert_eq!(public.body["setup_required"], false);

    let token = login(&server, "ROOT", "root-password").await;
    let me = call(&server, Method::GET, "/api/v1/me", Some(&token), None).await;
    assert_eq!(
        me.body["username"], "root",
        "user names are case-insensitive at sign-in"
    );
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn cli_user_create_makes_a_working_admin() {
    let env = TestEnv::new().await;
    let config = env.config();
    let output = revenge_server::cli::create_user(&config, "shelladmin", "shell-password", true)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(output.contains("administrator shelladmin"), "{output}");
    let server = start(config).await;
    assert_eq!(
        server.setup_token(),
        None,
        "setup is done once a user exists"
    );
    let token = login(&server, "shelladmin", "shell-password").await;
    let users = call(&server, Method::GET, "/api/v1/users", Some(&token), None).await;
    assert_eq!(users.status, 200, "{:?}", users.body);
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn every_route_but_the_public_ones_needs_credentials() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let doc = server.get("/api/openapi.json").await.body;
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    assert!(
        paths.len() > 20,
        "the document lists the routes: {}",
        paths.len()
    );
    let mut checked = 0;
    for (path, item) in &paths {
        let concrete = path.replace("{id}", "1");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let method = Method::from_bytes(method.to_uppercase().as_bytes())
                .unwrap_or_else(|e| panic!("{e}"));
            let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
            let reply = server.call(method.clone(), &concrete, None, body).await;
            checked += 1;
            if PUBLIC.contains(&path.as_str()) {
                assert_ne!(reply.status, 401, "{method} {path} is public");
            } else {
                assert_eq!(
                    reply.status, 401,
                    "{method} {path} without credentials: {:?}",
                    reply.body
                );
                assert_eq!(reply.body["code"], "unauthorized", "{method} {path}");
                assert_eq!(
                    reply
                        .headers
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok()),
                    Some("Bearer"),
                    "{method} {path}"
                );
                // A bogus token is refused the same way.
                let bogus = server
                    .call(method.clone(), &concrete, Some("rvs_forged"), None)
                    .await;
                assert_eq!(bogus.status, 401, "{method} {path} with a forged token");
            }
        }
    }
    assert!(checked > 25, "checked {checked} operations");
    // The document itself is for signed-in callers too.
    let doc = server
        .call(Method::GET, "/api/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn logout_and_revocation_take_effect_at_once() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (alice_id, phone) = server.user("alice", json!({})).await;
    let laptop = login(&server.server, "alice", "alice-password").await;
    assert_eq!(server.get_as(&phone, "/api/v1/me").await.status, 200);

    // Alice sees both sessions and revokes the laptop's from the phone.
    let sessions = server.get_as(&phone, "/api/v1/sessions").await.body;
    let list = sessions.as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 2, "{sessions}");
    let laptop_id = list
        .iter()
        .find(|s| s["current"] == false)
        .and_then(|s| s["id"].as_i64())
        .unwrap_or_default();
    let reply = server
        .call(
            Method::DELETE,
            &format!("/api/v1/sessions/{laptop_id}"),
            Some(&phone),
            None,
        )
        .await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);
    assert_eq!(server.get_as(&laptop, "/api/v1/me").await.status, 401);
    assert_eq!(server.get_as(&phone, "/api/v1/me").await.status, 200);

    // An administrator revokes anyone's session.
    let admin_view = server
        .get(&format!("/api/v1/sessions?user_id={alice_id}"))
        .await
        .body;
    let phone_id = admin_view[0]["id"].as_i64().unwrap_or_default();
    let reply = server
        .call(
            Method::DELETE,
            &format!("/api/v1/sessions/{phone_id}"),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(server.get_as(&phone, "/api/v1/me").await.status, 401);

    // Logout ends the calling session only.
    let token = login(&server.server, "alice", "alice-password").await;
    let out = server
        .call(Method::POST, "/api/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(out.status, 204);
    assert_eq!(server.get_as(&token, "/api/v1/me").await.status, 401);
    assert_eq!(server.get("/api/v1/me").await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    let env = TestEnv::new().await;
    let server = env.start_with_options(uncached_sign_ins()).await;
    let (_, token) = server.user("bob", json!({})).await;
    assert_eq!(server.get_as(&token, "/api/v1/me").await.status, 200);
    sql(
        &env,
        "UPDATE user_session SET expires_at = '2000-01-01T00:00:00+00:00' \
         WHERE user_id = (SELECT id FROM app_user WHERE username_key = 'bob')",
    )
    .await;
    assert_eq!(server.get_as(&token, "/api/v1/me").await.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn disabling_a_user_locks_them_out_at_once() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (carol, token) = server.user("carol", json!({})).await;
    assert_eq!(server.get_as(&token, "/api/v1/me").await.status, 200);
    let reply = server
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{carol}"),
            Some(&server.admin),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(server.get_as(&token, "/api/v1/me").await.status, 401);
    let again = call(
        &server.server,
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"username": "carol", "password": "carol-password"})),
    )
    .await;
    assert_eq!(again.status, 403, "{:?}", again.body);
    assert_eq!(again.body["code"], "account_disabled");
    server.stop().await;
}

#[tokio::test]
async fn api_keys_are_shown_once_scoped_and_revocable() {
    let env = TestEnv::new().await;
    let server = env.start_with_options(uncached_sign_ins()).await;
    let (_, dave) = server.user("dave", json!({})).await;
    let create = |scopes: serde_json::Value| {
        server.call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&dave),
            Some(json!({"name": "script", "scopes": scopes})),
        )
    };
    let read = create(json!(["read"])).await;
    assert_eq!(read.status, 201, "{:?}", read.body);
    let read_key = read.body["key"].as_str().unwrap_or_default().to_owned();
    assert!(read_key.starts_with("rvk_"));
    let listed = server.get_as(&dave, "/api/v1/api-keys").await.body;
    assert!(
        !listed.to_string().contains(&read_key),
        "the key is shown only once: {listed}"
    );

    assert_eq!(server.get_as(&read_key, "/api/v1/me").await.status, 200);
    let via_header = revenge_tests::client()
        .get(format!("{}/api/v1/me", server.server.base_url()))
        .header("x-api-key", &read_key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(via_header.status().as_u16(), 200);
    let write_attempt = server
        .call(
            Method::PUT,
            "/api/v1/me/preferences",
            Some(&read_key),
            Some(json!({"theme": "dark"})),
        )
        .await;
    assert_eq!(write_attempt.status, 403, "a read key cannot write");

    let write = create(json!(["read", "write"])).await;
    let write_key = write.body["key"].as_str().unwrap_or_default().to_owned();
    let reply = server
        .call(
            Method::PUT,
            "/api/v1/me/preferences",
            Some(&write_key),
            Some(json!({"theme": "dark"})),
        )
        .await;
    assert_eq!(reply.status, 204, "{:?}", reply.body);

    assert_eq!(
        create(json!(["admin"])).await.status,
        403,
        "not an administrator"
    );
    assert_eq!(create(json!(["root"])).await.status, 400, "unknown scope");

    // An administrator's key without the admin scope has no administrator rights.
    let admin_key = server
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&server.admin),
            Some(json!({"name": "ro", "scopes": ["read"]})),
        )
        .await
        .body["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(server.get_as(&admin_key, "/api/v1/users").await.status, 403);
    let full_key = server
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&server.admin),
            Some(json!({"name": "ops", "scopes": ["read", "admin"]})),
        )
        .await
        .body["key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(server.get_as(&full_key, "/api/v1/users").await.status, 200);

    // Revoked and expired keys stop working.
    let id = read.body["id"].as_i64().unwrap_or_default();
    let revoke = server
        .call(
            Method::DELETE,
            &format!("/api/v1/api-keys/{id}"),
            Some(&dave),
            None,
        )
        .await;
    assert_eq!(revoke.status, 204);
    assert_eq!(server.get_as(&read_key, "/api/v1/me").await.status, 401);
    sql(
        &env,
        "UPDATE api_key SET expires_at = '2000-01-01T00:00:00+00:00'",
    )
    .await;
    assert_eq!(server.get_as(&write_key, "/api/v1/me").await.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_recorded_and_announced() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let mut events = server.server.events().subscribe();
    server.user("erin", json!({})).await;
    let attempt = |username: &str, password: &str| {
        call(
            &server.server,
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
    };
    for _ in 0..5 {
        let reply = attempt("erin", "wrong-password").await;
        assert_eq!(reply.status, 401, "{:?}", reply.body);
        assert!(!reply.body.to_string().contains("wrong-password"));
    }
    // Locked, even with the right password.
    let locked: Reply = attempt("erin", "erin-password").await;
    assert_eq!(locked.status, 429, "{:?}", locked.body);
    let retry_after: u64 = locked
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    assert!(
        (1..=900).contains(&retry_after),
        "Retry-After {retry_after}"
    );

    let mut failed = 0;
    let mut succeeded = 0;
    while let Ok(event) = events.try_recv() {
        match &event.event {
            Event::LoginFailed { username, .. } if username == "erin" => failed += 1,
            Event::LoginSucceeded { username, .. } if username == "erin" => succeeded += 1,
            _ => {}
        }
    }
    assert_eq!(
        (failed, succeeded),
        (6, 1),
        "five failures and the throttled attempt"
    );

    let db = env.connect().await;
    let row = db
        .conn
        .query_one_raw(sea_orm::Statement::from_string(
            db.conn.get_database_backend(),
            "SELECT COUNT(*) AS n FROM login_attempt WHERE username_key = 'erin' \
             AND success = false AND address = '127.0.0.1'",
        ))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no row"));
    let recorded: i64 = row.try_get("", "n").unwrap_or_default();
    assert_eq!(
        recorded, 5,
        "failed attempts are recorded with their address"
    );

    // Five more failures from this address across other names lock the address out.
    for name in ["x1", "x2", "x3", "x4", "x5"] {
        let _ = attempt(name, "whatever-password").await;
    }
    let blocked = attempt(ADMIN.0, ADMIN.1).await;
    assert_eq!(blocked.status, 429, "the address is throttled");
    server.stop().await;
}

#[tokio::test]
async fn media_tokens_open_one_path_read_only() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let signed = server
        .call(
            Method::POST,
            "/api/v1/auth/media-token",
            Some(&server.admin),
            Some(json!({"path": "/api/v1/me"})),
        )
        .await;
    assert_eq!(signed.status, 200, "{:?}", signed.body);
    let url = signed.body["url"].as_str().unwrap_or_default().to_owned();
    let token = signed.body["token"].as_str().unwrap_or_default().to_owned();
    assert!(
        !url.contains(&server.admin),
        "the session token never goes into a URL"
    );
    let opened = server.call(Method::GET, &url, None, None).await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    assert_eq!(opened.body["username"], ADMIN.0);
    let other = server
        .call(
            Method::GET,
            &format!("/api/v1/sessions?mt={token}"),
            None,
            None,
        )
        .await;
    assert_eq!(other.status, 401, "another path");
    let write = server
        .call(
            Method::PUT,
            &format!("/api/v1/me/preferences?mt={token}"),
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(write.status, 401, "no writes with a media token");
    let tampered = server
        .call(Method::GET, &format!("/api/v1/me?mt={token}x"), None, None)
        .await;
    assert_eq!(tampered.status, 401);
    // A session token in the URL is never accepted.
    let leaked = server
        .call(
            Method::GET,
            &format!("/api/v1/me?mt={}", server.admin),
            None,
            None,
        )
        .await;
    assert_eq!(leaked.status, 401);
    server.stop().await;
}

#[tokio::test]
async fn users_cannot_reach_each_others_sessions_keys_or_accounts() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (_, alice) = server.user("alice", json!({})).await;
    let (bob_id, bob) = server.user("bob", json!({})).await;
    let bob_key = server
        .call(
            Method::POST,
            "/api/v1/api-keys",
            Some(&bob),
            Some(json!({"name": "k", "scopes": ["read"]})),
        )
        .await
        .body;
    let bob_key_id = bob_key["id"].as_i64().unwrap_or_default();
    let bob_session = server.get_as(&bob, "/api/v1/sessions").await.body[0]["id"]
        .as_i64()
        .unwrap_or_default();
    let reply = server
        .call(
            Method::PUT,
            "/api/v1/me/preferences",
            Some(&bob),
            Some(json!({"bob": true})),
        )
        .await;
    assert_eq!(reply.status, 204);

    for (method, path, expected) in [
        (
            Method::GET,
            format!("/api/v1/sessions?user_id={bob_id}"),
            403,
        ),
        (
            Method::GET,
            format!("/api/v1/api-keys?user_id={bob_id}"),
            403,
        ),
        (
            Method::DELETE,
            format!("/api/v1/sessions/{bob_session}"),
            404,
        ),
        (
            Method::DELETE,
            format!("/api/v1/api-keys/{bob_key_id}"),
            404,
        ),
        (Method::GET, format!("/api/v1/users/{bob_id}"), 404),
        (Method::PATCH, format!("/api/v1/users/{bob_id}"), 403),
        (Method::DELETE, format!("/api/v1/users/{bob_id}"), 403),
        (Method::GET, "/api/v1/users".to_owned(), 403),
    ] {
        let body = (method == Method::PATCH).then(|| json!({"password": "taken-over-1"}));
        let reply = server.call(method.clone(), &path, Some(&alice), body).await;
        assert_eq!(reply.status, expected, "{method} {path}: {:?}", reply.body);
    }
    // Bob's things are untouched.
    assert_eq!(server.get_as(&bob, "/api/v1/me").await.status, 200);
    let key = bob_key["key"].as_str().unwrap_or_default();
    assert_eq!(server.get_as(key, "/api/v1/me").await.status, 200);
    let prefs = server.get_as(&bob, "/api/v1/me/preferences").await.body;
    assert_eq!(prefs, json!({"bob": true}));
    let alice_prefs = server.get_as(&alice, "/api/v1/me/preferences").await.body;
    assert_eq!(alice_prefs, json!({}));
    server.stop().await;
}

#[tokio::test]
async fn only_admins_grant_adult_content_and_one_admin_always_remains() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (_, manager) = server
        .user("manager", json!({"capabilities": {"manage_users": false}}))
        .await;
    // Give the manager the manage-users capability (an administrator may).
    let me = server.get_as(&manager, "/api/v1/me").await.body;
    let manager_id = me["id"].as_i64().unwrap_or_default();
    let reply = server
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{manager_id}"),
            Some(&server.admin),
            Some(json!({"capabilities": {"manage_users": true}})),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(server.get_as(&manager, "/api/v1/users").await.status, 200);

    let reply = server
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&manager),
            Some(json!({"username": "kid", "password": "kid-password", "capabilities": {"adult": true}})),
        )
        .await;
    assert_eq!(reply.status, 403, "only administrators grant adult content");
    let reply = server
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&manager),
            Some(json!({"username": "kid", "password": "kid-password"})),
        )
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert_eq!(reply.body["capabilities"]["adult"], false, "off by default");

    let admin_id = server.get("/api/v1/me").await.body["id"]
        .as_i64()
        .unwrap_or_default();
    let demote = server
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{admin_id}"),
            Some(&server.admin),
            Some(json!({"role": "user"})),
        )
        .await;
    assert_eq!(demote.status, 409, "{:?}", demote.body);
    let delete = server
        .call(
            Method::DELETE,
            &format!("/api/v1/users/{admin_id}"),
            Some(&server.admin),
            None,
        )
        .await;
    assert_eq!(delete.status, 409);
    let by_manager = server
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{admin_id}"),
            Some(&manager),
            Some(json!({"display_name": "pwned"})),
        )
        .await;
    assert_eq!(
        by_manager.status, 403,
        "a user manager cannot change an administrator"
    );
    server.stop().await;
}

#[tokio::test]
async fn bad_account_input_names_the_field() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let long_name = "n".repeat(65);
    let long_password = "p".repeat(300);
    for (body, field) in [
        (
            json!({"username": long_name, "password": "good-password"}),
            "username",
        ),
        (
            json!({"username": "has space", "password": "good-password"}),
            "username",
        ),
        (json!({"username": "ok", "password": "short"}), "password"),
        (
            json!({"username": "ok", "password": long_password}),
            "password",
        ),
        (
            json!({"username": "ok", "password": "good-password", "display_name": "d".repeat(200)}),
            "display_name",
        ),
        (
            json!({"username": "ok", "password": "good-password", "role": "god"}),
            "role",
        ),
        (
            json!({"username": "ok", "password": "good-password", "library_ids": [999]}),
            "library_ids",
        ),
    ] {
        let reply = server
            .call(
                Method::POST,
                "/api/v1/users",
                Some(&server.admin),
                Some(body.clone()),
            )
            .await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert_eq!(reply.body["field"], field, "{body}: {:?}", reply.body);
        assert!(!reply.body.to_string().contains("good-password"));
    }
    let taken = server
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&server.admin),
            Some(json!({"username": "ADMIN", "password": "good-password"})),
        )
        .await;
    assert_eq!(taken.status, 409, "{:?}", taken.body);
    let login_long = call(
        &server.server,
        Method::POST,
        "/api/v1/auth/login",
        None,
        Some(json!({"username": "admin", "password": "p".repeat(300)})),
    )
    .await;
    assert_eq!(login_long.status, 400);
    assert_eq!(login_long.body["field"], "password");
    let prefs = server
        .call(
            Method::PUT,
            "/api/v1/me/preferences",
            Some(&server.admin),
            Some(json!([1, 2])),
        )
        .await;
    assert_eq!(prefs.status, 400);
    let huge = server
        .call(
            Method::PUT,
            "/api/v1/me/preferences",
            Some(&server.admin),
            Some(json!({"blob": "x".repeat(70_000)})),
        )
        .await;
    assert_eq!(huge.status, 400);
    server.stop().await;
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (_, first) = server.user("frank", json!({})).await;
    let second = login(&server.server, "frank", "frank-password").await;
    let wrong = server
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&first),
            Some(json!({"current_password": "nope", "new_password": "new-password-1"})),
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["field"], "current_password");
    let ok = server
        .call(
            Method::PUT,
            "/api/v1/me/password",
            Some(&first),
            Some(json!({"current_password": "frank-password", "new_password": "new-password-1"})),
        )
        .await;
    assert_eq!(ok.status, 204, "{:?}", ok.body);
    assert_eq!(
        server.get_as(&first, "/api/v1/me").await.status,
        200,
        "this session stays"
    );
    assert_eq!(
        server.get_as(&second, "/api/v1/me").await.status,
        401,
        "others end"
    );
    login(&server.server, "frank", "new-password-1").await;
    server.stop().await;
}

#[tokio::test]
async fn users_change_their_own_display_name_and_nothing_more() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (alice_id, alice) = server.user("alice", json!({})).await;
    let (bob_id, _) = server.user("bob", json!({"display_name": "Bob"})).await;
    let before = server.get_as(&alice, "/api/v1/me").await.body;
    let patch = |path: String, body: serde_json::Value| {
        let (server, token) = (&server, alice.clone());
        async move {
            server
                .call(Method::PATCH, &path, Some(&token), Some(body))
                .await
        }
    };
    let me = || "/api/v1/me".to_owned();
    let alice_path = || format!("/api/v1/users/{alice_id}");

    let renamed = patch(me(), json!({"display_name": "Alice Liddell"})).await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(renamed.body["display_name"], "Alice Liddell");
    assert_eq!(
        server.get_as(&alice, "/api/v1/me").await.body["display_name"],
        "Alice Liddell"
    );
    assert_eq!(
        server.get(&alice_path()).await.body["display_name"],
        "Alice Liddell",
        "the administrator sees the new name"
    );
    let blank = patch(me(), json!({"display_name": " "})).await;
    assert_eq!(
        blank.body["display_name"], "alice",
        "blank falls back to the user name"
    );
    patch(me(), json!({"display_name": "Alice Liddell"})).await;

    // Nothing privileged rides along: the self-service route does not know such fields (and
    // refuses the whole body, display name included), the managers' route needs the capability.
    for (field, body) in [
        ("role", json!({"role": "admin"})),
        (
            "capabilities",
            json!({"display_name": "x", "capabilities": {"manage_users": true, "adult": true}}),
        ),
        ("disabled", json!({"disabled": true})),
        ("library_ids", json!({"library_ids": [1]})),
        ("max_rating_level", json!({"max_rating_level": null})),
    ] {
        let reply = patch(me(), body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        let detail = reply.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(field), "{body}: {detail}");
        let reply = patch(alice_path(), body.clone()).await;
        assert_eq!(reply.status, 403, "{body}: {:?}", reply.body);
    }
    // Nor anyone else's account.
    let reply = patch(
        format!("/api/v1/users/{bob_id}"),
        json!({"display_name": "pwned"}),
    )
    .await;
    assert_eq!(reply.status, 403, "{:?}", reply.body);
    assert_eq!(
        server.get(&format!("/api/v1/users/{bob_id}")).await.body["display_name"],
        "Bob"
    );
    let mut after = server.get_as(&alice, "/api/v1/me").await.body;
    assert_eq!(after["display_name"], "Alice Liddell");
    after["display_name"] = before["display_name"].clone();
    assert_eq!(after, before, "only the display name changed");

    // The document describes the route with its one field.
    let doc = server.get("/api/openapi.json").await.body;
    assert!(
        doc["paths"]["/api/v1/me"]["patch"].is_object(),
        "{}",
        doc["paths"]["/api/v1/me"]
    );
    let fields: Vec<&String> = doc["components"]["schemas"]["MePatch"]["properties"]
        .as_object()
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    assert_eq!(fields, ["display_name"]);
    server.stop().await;
}

/// A time as both backends read it in SQL.
fn sql_time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string()
}

fn parse_time(value: &serde_json::Value) -> chrono::DateTime<chrono::Utc> {
    value
        .as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.to_utc())
        .unwrap_or_else(|| panic!("not a time: {value}"))
}

#[tokio::test]
async fn a_session_in_use_slides_its_expiry_and_an_idle_one_ends() {
    let env = TestEnv::new().await;
    let server = env.start_with_options(uncached_sign_ins()).await;
    let (carol_id, used) = server.user("carol", json!({})).await;
    let idle = login(&server.server, "carol", "carol-password").await;
    // Both sessions were last seen long ago and have seconds left: as if the lifetime were that
    // short (the configured one is in hours), and the last touch older than the interval
    // sessions are touched at.
    let now = chrono::Utc::now();
    let original = now + chrono::TimeDelta::seconds(3);
    sql(
        &env,
        &format!(
            "UPDATE user_session SET last_seen_at = '{}', expires_at = '{}' WHERE user_id = {carol_id}",
            sql_time(now - chrono::TimeDelta::minutes(10)),
            sql_time(original),
        ),
    )
    .await;

    // Listing its own sessions is a use of `used`: it is authenticated (and slid) first.
    let reply = server.get_as(&used, "/api/v1/sessions").await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let sessions = reply.body.as_array().cloned().unwrap_or_default();
    assert_eq!(sessions.len(), 2, "{:?}", reply.body);
    let current = sessions.iter().find(|s| s["current"] == true);
    let other = sessions.iter().find(|s| s["current"] == false);
    let (Some(current), Some(other)) = (current, other) else {
        panic!("one current session and one other: {:?}", reply.body);
    };
    let slid = parse_time(&current["expires_at"]);
    assert!(
        slid > now + chrono::TimeDelta::hours(24),
        "a used session's expiry moves a whole lifetime ahead: {slid}"
    );
    assert!(parse_time(&current["last_seen_at"]) >= now - chrono::TimeDelta::seconds(1));
    let untouched = parse_time(&other["expires_at"]);
    assert!(
        (untouched - original).num_milliseconds().abs() < 1000,
        "an unused session keeps its expiry: {untouched}, set {original}"
    );

    // Past the original expiry, the used session outlives it and the idle one is gone.
    let wait = (original - chrono::Utc::now()) + chrono::TimeDelta::milliseconds(500);
    tokio::time::sleep(wait.to_std().unwrap_or_default()).await;
    assert_eq!(server.get_as(&idle, "/api/v1/me").await.status, 401);
    assert_eq!(server.get_as(&used, "/api/v1/me").await.status, 200);
    server.stop().await;
}
