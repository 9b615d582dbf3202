//! Assembles the HTTP service: the server's own routes, every enabled module's router under
//! `/api/v1/<id>`, the OpenAPI document, and the middleware every request passes through.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::middleware::from_fn_with_state;
use http::{Request, StatusCode};
use revenge_auth::AuthService;
use revenge_auth::middleware::{require_adult, require_auth};
use revenge_cache::Cache;
use revenge_cache::http::{ResponseCache, WriteInvalidation, cache_responses, invalidate_on_write};
use revenge_config::Config;
use revenge_core::{EventBus, KNOWN_MODULES, Module, ModuleContext, Problem};
use revenge_db::Database;
use revenge_hooks::HookRunner;
use revenge_jobs::JobQueue;
use revenge_library::LibraryState;
use revenge_webhooks::Webhooks;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::routes;
use crate::{ServerError, modules};

/// One module as `/api/v1/system/info` reports it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ModuleStatus {
    /// The module's id.
    pub id: &'static str,
    /// Its display name.
    pub name: &'static str,
    /// Whether this build contains it.
    pub compiled: bool,
    /// Whether it serves (compiled in and enabled by the config).
    pub enabled: bool,
}

/// What the server's own routes need.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Database,
    /// Sign-in and permissions.
    pub auth: AuthService,
    /// The cache (sign-ins, module responses).
    pub cache: Cache,
    /// The in-process event bus.
    pub events: EventBus,
    /// The background job queue.
    pub jobs: JobQueue,
    /// Webhooks.
    pub webhooks: Webhooks,
    /// Script hooks (the transcoder asks `pre_transcode`).
    pub hooks: HookRunner,
    /// Every known module and its state.
    pub modules: Arc<Vec<ModuleStatus>>,
    /// This installation's id.
    pub server_id: Arc<str>,
    /// The transcoder playback hands HLS sessions to.
    pub transcoder: revenge_transcode::Transcoder,
    // --- search (issue #8): the search service, mounted at /api/v1/search when present.
    /// Search.
    pub search: Option<revenge_search::Search>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Revenge",
        description = "The Revenge media server API. Errors are RFC 9457 problem documents."
    ),
    components(schemas(revenge_core::ProblemDocument))
)]
struct ApiDoc;

/// Every known module with whether it is compiled in and enabled.
pub fn module_statuses(config: &Config) -> Vec<ModuleStatus> {
    let compiled: Vec<&str> = modules::compiled().iter().map(|m| m.id()).collect();
    KNOWN_MODULES
        .iter()
        .map(|known| {
            let is_compiled = compiled.contains(&known.id);
            ModuleStatus {
                id: known.id,
                name: known.name,
                compiled: is_compiled,
                enabled: is_compiled && config.module_enabled(known.id),
            }
        })
        .collect()
}

/// Builds the whole HTTP service. Every route is behind `require_auth` except the public ones
/// (health, public system info, setup, sign-in, the OpenAPI document); adult modules are behind
/// `require_adult`.
pub fn router(state: AppState, config: &Config) -> Result<Router, ServerError> {
    router_with(state, config, modules::compiled())
}

/// [`router`] over a given set of modules (tests compose modules of their own).
fn router_with(
    state: AppState,
    config: &Config,
    compiled: Vec<Box<dyn Module>>,
) -> Result<Router, ServerError> {
    let ctx = ModuleContext {
        db: state.db.conn.clone(),
        events: state.events.clone(),
        // --- search (issue #8): modules query the same engine (Subsonic search2/search3).
        search: state
            .search
            .clone()
            .map(|s| Arc::new(s) as Arc<dyn revenge_core::SearchService>),
        answers: Some(Arc::new(state.cache.clone()) as Arc<dyn revenge_core::AnswerCache>),
    };
    let auth = state.auth.clone();
    let enabled: Vec<Arc<dyn Module>> = compiled
        .into_iter()
        .filter(|m| config.module_enabled(m.id()))
        .map(Arc::from)
        .collect();
    let artwork = revenge_artwork::ArtworkState {
        db: state.db.conn.clone(),
        modules: Arc::new(enabled.clone()),
        cache: config.data_dir().join("cache").join("images"),
        lookups: state.cache.clone(),
    };
    let playback = revenge_playback::Playback {
        db: state.db.conn.clone(),
        modules: Arc::new(enabled.clone()),
        events: state.events.clone(),
        auth: state.auth.clone(),
        hooks: state.hooks.clone(),
        transcoder: state.transcoder.clone(),
        rules: revenge_playback::ProgressRules {
            played_percent: config.playback.played_percent,
            resume_min_percent: config.playback.resume_min_percent,
        },
    };
    let library_state = LibraryState {
        db: state.db.conn.clone(),
        modules: Arc::new(enabled.iter().map(|m| m.id()).collect()),
        jobs: state.jobs.clone(),
    };

    let mut protected = OpenApiRouter::new()
        .merge(routes::system::protected_router().with_state(state.clone()))
        .merge(revenge_auth::api::protected_router().with_state(auth.clone()))
        .merge(
            revenge_library::router()
                .with_state(library_state)
                // Library changes alter what every module shows, and grants name libraries.
                .route_layer(from_fn_with_state(
                    WriteInvalidation {
                        cache: state.cache.clone(),
                        modules: enabled.iter().map(|m| m.id()).collect(),
                    },
                    invalidate_on_write,
                )),
        )
        .merge(revenge_jobs::router().with_state(state.jobs.clone()))
        .merge(revenge_webhooks::router().with_state(state.webhooks.clone()))
        .merge(routes::events::router().with_state(state.clone()))
        .merge(revenge_artwork::router().with_state(artwork))
        .merge(revenge_playback::router().with_state(playback));
    // --- search (issue #8)
    if let Some(search) = &state.search {
        protected = protected.merge(revenge_search::router().with_state(
            revenge_search::SearchState {
                search: search.clone(),
                jobs: state.jobs.clone(),
            },
        ));
    }
    let mut adult: Option<OpenApiRouter> = None;
    // Routes of protocols that authenticate on their own (Subsonic's `/rest`): outside
    // `require_auth` and outside the OpenAPI document.
    let mut root = Router::new();
    for module in &enabled {
        if let Some(routes) = module.root_router() {
            root = root.merge(routes.with_state(ctx.clone()));
        }
    }
    for module in &enabled {
        let prefix = format!("/api/v1/{}", module.id());
        let routes = module
            .router()
            .with_state(ctx.clone())
            .route_layer(from_fn_with_state(
                ResponseCache {
                    cache: state.cache.clone(),
                    module: module.id(),
                },
                cache_responses,
            ));
        if module.adult() {
            adult = Some(adult.unwrap_or_default().nest(&prefix, routes));
        } else {
            protected = protected.nest(&prefix, routes);
        }
    }
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::system::public_router().with_state(state.clone()))
        .merge(revenge_auth::api::public_router().with_state(auth.clone()))
        .merge(protected.route_layer(from_fn_with_state(auth.clone(), require_auth)));
    // axum refuses a route layer on a router without routes, so only when there is one.
    if let Some(adult) = adult {
        api = api.merge(adult.route_layer(from_fn_with_state(auth, require_adult)));
    }
    let (router, openapi) = api.split_for_parts();
    let openapi_json = openapi
        .to_json()
        .map_err(|e| ServerError::OpenApi(e.to_string()))?;

    let docs = routes::openapi::router(openapi_json)
        .route_layer(from_fn_with_state(state.auth.clone(), require_auth));
    let router = router
        .merge(docs)
        .merge(root)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Ok(with_middleware(router))
}

fn with_middleware(router: Router) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
        let request_id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        // The path only: query strings may carry signed tokens.
        tracing::info_span!(
            "request",
            method = %request.method(),
            path = %request.uri().path(),
            request_id = %request_id,
        )
    });
    router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(CatchPanicLayer::custom(|_| {
                axum::response::IntoResponse::into_response(Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "internal error; see the server log",
                ))
            }))
            .layer(tower_http::timeout::TimeoutLayer::with_status_code(
                StatusCode::REQUEST_TIMEOUT,
                Duration::from_secs(60),
            )),
    )
}

async fn not_found(uri: http::Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no route for {}", uri.path()),
    )
}

async fn method_not_allowed(method: http::Method, uri: http::Uri) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use http::Request;
    use revenge_auth::users::NewUser;
    use revenge_auth::{AuthService, AuthSettings, ClientInfo};
    use revenge_db::{ConnectOptions, connect, migrate};
    use tower::ServiceExt;

    /// A stand-in adult module: one route that must never be seen without the capability.
    struct FakeAdult;

    impl Module for FakeAdult {
        fn id(&self) -> &'static str {
            "qar"
        }
        fn name(&self) -> &'static str {
            "Adult"
        }
        fn migrations(&self) -> Vec<Box<dyn revenge_migrations::MigrationTrait>> {
            Vec::new()
        }
        fn router(&self) -> OpenApiRouter<ModuleContext> {
            OpenApiRouter::new().route("/things", get(|| async { "secret things" }))
        }
        fn adult(&self) -> bool {
            true
        }
    }

    async fn status(router: &Router, token: Option<&str>) -> StatusCode {
        let mut request = Request::get("/api/v1/qar/things");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        response.status()
    }

    #[tokio::test]
    async fn the_adult_section_is_a_404_without_the_capability() {
        let db = connect(&ConnectOptions::new("sqlite::memory:"))
            .await
            .unwrap();
        migrate::up(&db.conn, &modules::migration_sets())
            .await
            .unwrap();
        let settings = AuthSettings {
            hash: revenge_auth::password::HashParams {
                memory_kib: 1024,
                iterations: 1,
                parallelism: 1,
            },
            ..AuthSettings::default()
        };
        let events = EventBus::new();
        let auth = AuthService::new(db.conn.clone(), settings, events.clone())
            .await
            .unwrap();
        let mut config = Config::default();
        config.modules.insert(
            "qar".to_owned(),
            revenge_config::ModuleToggle { enabled: true },
        );
        let jobs = JobQueue::new(
            db.conn.clone(),
            revenge_jobs::QueueSettings::default(),
            events.clone(),
        );
        let state = AppState {
            db: db.clone(),
            auth: auth.clone(),
            cache: Cache::disabled(),
            webhooks: Webhooks::new(db.conn.clone(), jobs.clone(), 1),
            hooks: HookRunner::new(Default::default(), std::time::Duration::from_secs(1)).unwrap(),
            jobs,
            events,
            modules: Arc::new(Vec::new()),
            server_id: "test".into(),
            transcoder: revenge_transcode::Transcoder::Local(revenge_transcode::LocalEngine::new(
                Default::default(),
            )),
            search: None,
        };
        let router = router_with(state, &config, vec![Box::new(FakeAdult)]).unwrap();

        let mut plain = NewUser::basic("plain", "plain-password");
        plain.admin = true;
        auth.create_user(&plain).await.unwrap();
        let mut allowed = NewUser::basic("allowed", "allowed-password");
        allowed.capabilities.adult = true;
        auth.create_user(&allowed).await.unwrap();
        let client = ClientInfo::default();
        let plain = auth
            .login("plain", "plain-password", &client)
            .await
            .unwrap();
        let allowed = auth
            .login("allowed", "allowed-password", &client)
            .await
            .unwrap();

        assert_eq!(status(&router, None).await, StatusCode::NOT_FOUND);
        assert_eq!(
            status(&router, Some("rvs_forged")).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(&router, Some(&plain.token)).await,
            StatusCode::NOT_FOUND,
            "even an administrator without the capability"
        );
        assert_eq!(status(&router, Some(&allowed.token)).await, StatusCode::OK);
    }
}
