//! The server lists and mounts exactly the modules it was compiled with and the config enables.

use revenge_core::KNOWN_MODULES;
use revenge_tests::{TestEnv, TestServer, expected_modules, list_endpoint};

#[tokio::test]
async fn system_info_lists_exactly_the_compiled_modules() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let info = server.get("/api/v1/system/info").await;
    assert_eq!(info.status, 200, "{:?}", info.body);
    let info = info.body;

    let expected = expected_modules();
    let modules = info["modules"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        modules.len(),
        KNOWN_MODULES.len(),
        "every known module is listed: {info}"
    );
    for known in KNOWN_MODULES {
        let entry = modules
            .iter()
            .find(|m| m["id"] == known.id)
            .unwrap_or_else(|| panic!("{} missing from {info}", known.id));
        let compiled = expected.contains(&known.id);
        assert_eq!(entry["compiled"], compiled, "{}: {entry}", known.id);
        // Compiled-in modules are on by default, except the adult one.
        assert_eq!(
            entry["enabled"],
            compiled && known.id != "qar",
            "{}: {entry}",
            known.id
        );
    }
    let backend = if env.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(info["database"], backend);
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    server.stop().await;
}

#[tokio::test]
async fn modules_not_compiled_answer_404_and_compiled_ones_serve() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let expected = expected_modules();
    for known in KNOWN_MODULES {
        if expected.contains(&known.id) {
            let path = list_endpoint(known.id)
                .unwrap_or_else(|| panic!("no list endpoint known for {}", known.id));
            let reply = server.get(path).await;
            assert_eq!(reply.status, 200, "{path}: {:?}", reply.body);
            assert_eq!(reply.body["total"], 0, "{path}: {:?}", reply.body);
        } else {
            for path in [
                format!("/api/v1/{}", known.id),
                format!("/api/v1/{}/", known.id),
                format!("/api/v1/{}/items", known.id),
            ] {
                let reply = server.get(&path).await;
                assert_eq!(reply.status, 404, "{path}: {:?}", reply.body);
                assert_eq!(reply.body["code"], "not_found", "{path}: {:?}", reply.body);
            }
        }
    }
    // The tvshow routes specifically, whatever this build has.
    let reply = server.get("/api/v1/tvshow/series").await;
    assert_eq!(reply.status == 200, expected.contains(&"tvshow"));
    server.stop().await;
}

#[tokio::test]
async fn disabled_modules_are_listed_but_not_mounted() {
    let env = TestEnv::new().await;
    let mut config = env.config();
    for id in expected_modules() {
        config.modules.insert(
            id.to_owned(),
            revenge_config::ModuleToggle { enabled: false },
        );
    }
    let server = TestServer::start_with(config).await;
    let info = server.get("/api/v1/system/info").await.body;
    for id in expected_modules() {
        let entry = info["modules"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["id"] == id))
            .cloned()
            .unwrap_or_default();
        assert_eq!(entry["compiled"], true, "{entry}");
        assert_eq!(entry["enabled"], false, "{entry}");
        let path = list_endpoint(id).unwrap_or_else(|| panic!("no list endpoint for {id}"));
        assert_eq!(
            server.get(path).await.status,
            404,
            "{path} of a disabled module"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn openapi_document_describes_exactly_the_mounted_routes() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let reply = server.get("/api/openapi.json").await;
    assert_eq!(reply.status, 200);
    let doc = reply.body;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for required in ["/health/live", "/health/ready", "/api/v1/system/info"] {
        assert!(
            paths.iter().any(|p| p == required),
            "{required} in {paths:?}"
        );
    }
    let expected = expected_modules();
    for known in KNOWN_MODULES {
        let prefix = format!("/api/v1/{}/", known.id);
        let documented = paths.iter().any(|p| p.starts_with(&prefix));
        assert_eq!(
            documented,
            expected.contains(&known.id),
            "{prefix} in {paths:?}"
        );
    }
    // Every documented GET route without path parameters really answers (none is a 404).
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        // The event stream never ends; it has its own test.
        if path.contains('{') || item.get("get").is_none() || path == "/api/v1/events" {
            continue;
        }
        let reply = server.get(path).await;
        assert_ne!(
            reply.status, 404,
            "{path} is documented but not served: {:?}",
            reply.body
        );
    }
    server.stop().await;
}
