//! Typesense stopped mid-way: searches fail as "unavailable" (or answer from the embedded
//! fallback), index jobs keep retrying, and the update arrives once Typesense is back.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]
#![cfg(feature = "typesense")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use revenge_core::{Event, EventBus, ItemRef};
use revenge_jobs::{JobQueue, QueueSettings, Workers};
use revenge_search::typesense::TypesenseIndex;
use revenge_search::{
    AccessFilter, Backend, EmbeddedIndex, Search, SearchError, SearchRequest, Source,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use support::*;

fn request(q: &str) -> SearchRequest {
    SearchRequest {
        q: q.to_owned(),
        types: vec![],
        limit: 10,
        offset: 0,
        access: AccessFilter::everything(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_made_while_typesense_is_down_arrive_after_it_restarts() {
    if typesense_env().is_none() {
        return;
    }
    let mut typesense = OwnTypesense::start(typesense_binary()).await;
    let db = database().await;
    let events = EventBus::new();
    let jobs = JobQueue::new(
        db.conn.clone(),
        QueueSettings {
            lease: Duration::from_secs(30),
            heartbeat: Duration::from_secs(1),
            poll_interval: Duration::from_millis(100),
            retry_base: Duration::from_millis(200),
            retry_max: Duration::from_secs(1),
        },
        events.clone(),
    );
    let module = FakeModule::new(corpus());
    let index = TypesenseIndex::new(&typesense_settings(&typesense.url(), &typesense.key)).unwrap();
    let primary = Backend::Typesense(index);
    let search = Search::with_backend(
        primary.clone(),
        Some(Backend::Embedded(EmbeddedIndex::in_memory().unwrap())),
        db.conn.clone(),
        vec![Source {
            module: "movie".to_owned(),
            searchable: Arc::new(module.clone()),
        }],
    );
    let listener = search.listen(&events, &jobs);
    let workers = search.register(Workers::new(jobs.clone()), 1).start();
    search.reconcile(false).await.unwrap();
    assert_eq!(primary.search(&request("matrix")).await.unwrap().total, 2);

    typesense.stop();
    let down = primary.search(&request("matrix")).await.unwrap_err();
    assert!(matches!(down, SearchError::Unavailable(_)), "{down:?}");
    // The service answers from the embedded copy meanwhile.
    assert_eq!(search.search(&request("matrix")).await.unwrap().total, 2);

    // A film arrives while Typesense is down.
    let mut docs = corpus();
    docs.push(doc(
        "movie",
        50,
        "Zardoz",
        Some(1974),
        &["Science Fiction"],
        1,
        Some(16),
    ));
    module.set(docs);
    events.publish(Event::ItemAdded(ItemRef {
        module: "movie".to_owned(),
        item_id: 50,
        library_id: 1,
        title: "Zardoz".to_owned(),
        rating_level: Some(16),
    }));

    // Its index job fails and is retried.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let failed = revenge_jobs::entity::Entity::find()
            .filter(revenge_jobs::entity::Column::Kind.eq("search.index"))
            .all(&db.conn)
            .await
            .unwrap()
            .into_iter()
            .any(|j| j.attempts >= 2 && j.last_error.is_some() && j.state == "queued");
        if failed {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the index job never retried"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The fallback already has it.
    assert_eq!(search.search(&request("zardoz")).await.unwrap().total, 1);

    // Typesense comes back: the update arrives without anyone asking.
    typesense.resume().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(found) = primary.search(&request("zardoz")).await
            && found.total == 1
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "Typesense never caught up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    workers.shutdown(Duration::from_secs(1)).await;
    listener.abort();
}
