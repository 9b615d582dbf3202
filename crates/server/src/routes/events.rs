//! `GET /api/v1/events`: the event stream as Server-Sent Events, filtered per caller.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use revenge_core::Viewer;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(events))
}

/// Streams events as they happen (`event:` is the type, `id:` the event id, `data:` the JSON
/// envelope). A caller only hears of libraries and items they may see, of their own playback
/// and sign-ins, and (administrators) of failures.
#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    responses((status = 200, description = "A text/event-stream of event envelopes", content_type = "text/event-stream", body = revenge_core::Envelope)))]
async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let receiver = state.events.subscribe();
    let stream = stream::unfold((receiver, viewer), |(mut receiver, viewer)| async move {
        loop {
            match receiver.recv().await {
                Ok(envelope) if envelope.event.visible_to(&viewer) => {
                    let event = SseEvent::default()
                        .event(envelope.event.kind())
                        .id(envelope.id.clone())
                        .json_data(envelope.as_ref())
                        .unwrap_or_else(|_| SseEvent::default().comment("unserializable event"));
                    return Some((Ok(event), (receiver, viewer)));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(missed)) => {
                    // Tell the client it missed some, so it can refetch what it shows.
                    let event = SseEvent::default()
                        .event("stream.lagged")
                        .data(missed.to_string());
                    return Some((Ok(event), (receiver, viewer)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
