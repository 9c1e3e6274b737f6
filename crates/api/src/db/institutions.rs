//! `institution`: banks as Plaid describes them, fetched once and kept. Public data, not a user's.

use sqlx::PgExecutor;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstitutionRecord {
    pub institution_id: String,
    pub name: String,
    pub logo: Option<String>,
    pub primary_color: Option<String>,
    pub url: Option<String>,
    pub oauth: bool,
}

#[tracing::instrument(skip_all, fields(institution_id = %institution_id))]
pub async fn find(
    db: impl PgExecutor<'_>,
    institution_id: &str,
) -> Result<Option<InstitutionRecord>, sqlx::Error> {
    sqlx::query_as!(
        InstitutionRecord,
        "select institution_id, name, logo, primary_color, url, oauth
         from institution where institution_id = $1",
        institution_id
    )
    .fetch_optional(db)
    .await
}

/// Stores what Plaid said, replacing an older copy (two first requests may race; both win).
#[tracing::instrument(skip_all, fields(institution_id = %institution.institution_id))]
pub async fn upsert(
    db: impl PgExecutor<'_>,
    institution: &InstitutionRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into institution (institution_id, name, logo, primary_color, url, oauth)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (institution_id) do update
         set name = excluded.name, logo = excluded.logo, primary_color = excluded.primary_color,
             url = excluded.url, oauth = excluded.oauth, fetched_at = now()",
        institution.institution_id,
        institution.name,
        institution.logo,
        institution.primary_color,
        institution.url,
        institution.oauth
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Whether Plaid said lately (until a moment not yet past) that it does not know this id.
#[tracing::instrument(skip_all, fields(institution_id = %institution_id))]
pub async fn is_known_unknown(
    db: impl PgExecutor<'_>,
    institution_id: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select from unknown_institution
                          where institution_id = $1 and unknown_until > now()) as "unknown!""#,
        institution_id
    )
    .fetch_one(db)
    .await
}

/// Remembers for `remember_for` that Plaid does not know this id, dropping what has expired.
#[tracing::instrument(skip_all, fields(institution_id = %institution_id))]
pub async fn remember_unknown(
    db: impl PgExecutor<'_>,
    institution_id: &str,
    remember_for: std::time::Duration,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "with expired as (delete from unknown_institution where unknown_until <= now())
         insert into unknown_institution (institution_id, unknown_until)
         values ($1, now() + make_interval(secs => $2))
         on conflict (institution_id) do update set unknown_until = excluded.unknown_until",
        institution_id,
        remember_for.as_secs_f64()
    )
    .execute(db)
    .await?;
    Ok(())
}
