//! Photos of a mission: the image bytes live in blob storage (local folder or S3) under a
//! content-addressed key; this table says which mission shows them, in what order, their size
//! (so pages reserve the space) and their alternative text.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_mission_photos"
    }
}

const UP: &str = r#"
CREATE TABLE mission_photos (
    id {id},
    tenant_id VARCHAR(12) NOT NULL REFERENCES tenants(code),
    mission_id BIGINT NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    blob_key VARCHAR(200) NOT NULL,
    content_type VARCHAR(64) NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    alt TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX mission_photos_tenant_mission_position ON mission_photos (tenant_id, mission_id, position);
CREATE INDEX mission_photos_tenant_key ON mission_photos (tenant_id, blob_key)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_script(manager, "DROP TABLE mission_photos").await
    }
}
