//! Migrations of the server's own tables.

use sea_orm_migration::MigrationTrait;

mod m20261125_000001_server_setting;
mod m20261125_000002_library_and_users;
mod m20261125_000003_jobs_and_webhooks;
mod m20261125_000004_library_folders_and_files;
mod m20261125_000005_job_rerun;
mod m20261125_000006_playback_state;
mod m20261125_000007_media_file_probe_pending;
mod m20261126_000008_drop_media_file_move_indexes;

/// The owner name under which these migrations are recorded.
pub const OWNER: &str = "server";

/// The server's migrations, oldest first.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261125_000001_server_setting::Migration),
        Box::new(m20261125_000002_library_and_users::Migration),
        Box::new(m20261125_000003_jobs_and_webhooks::Migration),
        Box::new(m20261125_000004_library_folders_and_files::Migration),
        Box::new(m20261125_000005_job_rerun::Migration),
        Box::new(m20261125_000006_playback_state::Migration),
        Box::new(m20261125_000007_media_file_probe_pending::Migration),
        Box::new(m20261126_000008_drop_media_file_move_indexes::Migration),
    ]
}
