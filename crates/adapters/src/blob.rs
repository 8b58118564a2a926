//! Uploaded files: a local folder (`DATA_DIR/uploads`, the embedded default) or an
//! S3-compatible bucket. Keys are always under the tenant's code.

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("invalid key: {0}")]
    Key(String),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

#[derive(Debug, Clone)]
pub struct S3Config {
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Debug, Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    kind: &'static str,
}

impl BlobStore {
    pub fn local(dir: &Path) -> Result<Self, BlobError> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            inner: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            kind: "local",
        })
    }

    pub fn s3(config: &S3Config) -> Result<Self, BlobError> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(&config.region)
            .with_access_key_id(&config.access_key_id)
            .with_secret_access_key(&config.secret_access_key);
        if let Some(endpoint) = &config.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        Ok(Self {
            inner: Arc::new(builder.build()?),
            kind: "s3",
        })
    }

    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Where the probe object lives: outside every tenant's keys (tenant codes have no `_`).
    fn probe() -> ObjectPath {
        ObjectPath::from("_health/probe")
    }

    /// Writes and reads back a probe object: the bucket exists and the keys may write.
    /// Run at start-up.
    pub async fn check(&self) -> Result<(), BlobError> {
        self.inner
            .put(&Self::probe(), PutPayload::from_static(b"ok"))
            .await?;
        self.ping().await
    }

    /// Reads the probe object's metadata: for readiness probes.
    pub async fn ping(&self) -> Result<(), BlobError> {
        self.inner.head(&Self::probe()).await?;
        Ok(())
    }

    fn path(tenant: &str, key: &str) -> Result<ObjectPath, BlobError> {
        let valid = !key.is_empty()
            && !key.starts_with('/')
            && key
                .split('/')
                .all(|part| !part.is_empty() && part != "." && part != "..");
        if !valid {
            return Err(BlobError::Key(key.to_owned()));
        }
        ObjectPath::parse(format!("{tenant}/{key}")).map_err(|e| BlobError::Key(e.to_string()))
    }

    pub async fn put(&self, tenant: &str, key: &str, data: Bytes) -> Result<(), BlobError> {
        self.inner
            .put(&Self::path(tenant, key)?, PutPayload::from_bytes(data))
            .await?;
        Ok(())
    }

    pub async fn get(&self, tenant: &str, key: &str) -> Result<Option<Bytes>, BlobError> {
        match self.inner.get(&Self::path(tenant, key)?).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, tenant: &str, key: &str) -> Result<(), BlobError> {
        match self.inner.delete(&Self::path(tenant, key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
