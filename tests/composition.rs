//! The server lists and mounts exactly the modules it was compiled with and the config enables.

use revenge_core::KNOWN_MODULES;
use revenge_tests::{TestEnv, expected_modules, get_json, list_endpoint, start};

#[tokio::test]
async fn system_info_lists_exactly_the_compiled_modules() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (status, info) = get_json(&server, "/api/v1/system/info").await;
    assert_eq!(status, 200, "{info}");

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
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
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
            let (status, body) = get_json(&server, path).await;
            assert_eq!(status, 200, "{path}: {body}");
            assert_eq!(body["total"], 0, "{path}: {body}");
        } else {
            for path in [
                format!("/api/v1/{}", known.id),
                format!("/api/v1/{}/", known.id),
                format!("/api/v1/{}/items", known.id),
            ] {
                let (status, body) = get_json(&server, &path).await;
                assert_eq!(status, 404, "{path}: {body}");
                assert_eq!(body["code"], "not_found", "{path}: {body}");
            }
        }
    }
    // The tvshow routes specifically, whatever this build has.
    let (status, _) = get_json(&server, "/api/v1/tvshow/series").await;
    assert_eq!(status == 200, expected.contains(&"tvshow"));
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
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
    let server = start(config).await;
    let (_, info) = get_json(&server, "/api/v1/system/info").await;
    for id in expected_modules() {
        let entry = info["modules"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["id"] == id))
            .cloned()
            .unwrap_or_default();
        assert_eq!(entry["compiled"], true, "{entry}");
        assert_eq!(entry["enabled"], false, "{entry}");
        let path = list_endpoint(id).unwrap_or_else(|| panic!("no list endpoint for {id}"));
        let (status, _) = get_json(&server, path).await;
        assert_eq!(status, 404, "{path} of a disabled module");
    }
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn openapi_document_describes_exactly_the_mounted_routes() {
    let env = TestEnv::new().await;
    let server = env.start().await;
    let (status, doc) = get_json(&server, "/api/openapi.json").await;
    assert_eq!(status, 200);
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
    for path in paths.iter().filter(|p| !p.contains('{')) {
        let (status, body) = get_json(&server, path).await;
        assert_ne!(status, 404, "{path} is documented but not served: {body}");
    }
    server.stop().await.unwrap_or_else(|e| panic!("{e}"));
}
