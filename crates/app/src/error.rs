//! What a use case can fail with. The web layer maps it once (a database that cannot be
//! reached is a 503, the rest a logged 500).

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Store(#[from] jsap_store::StoreError),
    #[error(transparent)]
    Mail(#[from] jsap_adapters::mail::MailError),
    /// The file storage failed (nothing half-written is left behind).
    #[error(transparent)]
    Blob(#[from] jsap_adapters::blob::BlobError),
}
