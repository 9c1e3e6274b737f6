//! Assembling the server. Tests build it exactly as `main` does, on port 0.

use crate::auth::limits::AuthLimits;
use crate::config::{
    DatabaseSettings, Settings, PLAID_PRODUCTION_URL, PLAID_SANDBOX_URL, SIMULATOR_MOUNT,
};
use crate::crypto::TokenCipher;
use crate::db;
use crate::error;
use crate::origins;
use crate::plaid::webhook::WebhookVerifier;
use crate::plaid::{PlaidApiEvent, PlaidClient, PlaidCredentials};
use crate::recurring::RecurringQueue;
use crate::routes;
use crate::simulator::{self, Simulator};
use crate::spa::Spa;
use crate::state::AppState;
use crate::sync;
use crate::sync_queue::SyncQueue;
use crate::telemetry;
use crate::ws::{EventHub, EventTasks};
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::future::Future;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tally_shared::api::config::PlaidMode;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing_actix_web::TracingLogger;
use url::Url;

/// The migrations in `/migrations`, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// How long in-flight requests get to finish after a shutdown signal.
const SHUTDOWN_GRACE: u64 = 10;
/// How long an idle kept-alive connection stays open. Longer than the pauses between a page's
/// calls, and longer than the idle time after which our own HTTP clients stop reusing a
/// connection (`plaid::IDLE_CONNECTION_REUSE`): a client never sends on a connection the server
/// is closing at that moment, which it would see as an incomplete answer.
const KEEP_ALIVE: Duration = Duration::from_secs(75);

pub struct Application {
    address: SocketAddr,
    server: Server,
    /// Stops the background tasks and closes the live sockets.
    stop_background: CancellationToken,
    /// Sync workers, the scheduler and the Plaid call recorder.
    background: JoinSet<()>,
    events: EventTasks,
}

impl Application {
    /// Connects to the database, migrates it, and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        // The live-events listener holds a connection for good, and each sync worker one for its
        // whole pass, while it waits on Plaid: among the configured ones, enough syncs at once
        // would leave requests none.
        let workers = u32::try_from(settings.sync.workers).unwrap_or(u32::MAX);
        let pool = connect(&settings.database, workers.saturating_add(1))?;
        // The embedded simulator stands in for Plaid's servers, so it has connections of its
        // own: the syncs and a bank's linking hold one of Tally's while they wait on its answer,
        // which it could not give from a pool they had emptied.
        let simulator_pool = match settings.plaid.mode {
            PlaidMode::Simulator => {
                let mut simulator = settings.database.clone();
                simulator.max_connections = SIMULATOR_CONNECTIONS;
                connect(&simulator, 0)?
            }
            PlaidMode::Sandbox | PlaidMode::Production => pool.clone(),
        };
        Self::build_with_pools(settings, pool, simulator_pool).await
    }

    /// As `build`, on a pool the caller made (tests get a fresh database each), which the
    /// embedded simulator shares.
    pub async fn build_with_pool(settings: Settings, db: PgPool) -> anyhow::Result<Self> {
        Self::build_with_pools(settings, db.clone(), db).await
    }

    async fn build_with_pools(
        settings: Settings,
        db: PgPool,
        simulator_db: PgPool,
    ) -> anyhow::Result<Self> {
        for setting in &settings.ignored {
            tracing::warn!(
                setting = setting.name,
                "{} is set but no longer read: {}",
                setting.name,
                setting.reason
            );
        }
        MIGRATOR
            .run(&db)
            .await
            .context("applying database migrations")?;

        let listener = TcpListener::bind((settings.server.host, settings.server.port))
            .with_context(|| {
                format!("binding {}:{}", settings.server.host, settings.server.port)
            })?;
        let address = listener.local_addr()?;

        let stop_background = CancellationToken::new();
        // Until `build` succeeds, failing stops what it started.
        let stop_on_error = stop_background.clone().drop_guard();
        let mut background = JoinSet::new();
        let (plaid_events, plaid_calls) = mpsc::channel(PLAID_EVENT_BUFFER);
        background.spawn(record_plaid_calls(
            db.clone(),
            plaid_calls,
            stop_background.clone(),
        ));
        let plaid = plaid_client(&settings, address)?.with_events(plaid_events);
        let cipher = match &settings.encryption_key {
            Some(key) => TokenCipher::new(key, &settings.previous_encryption_keys)?,
            None => anyhow::bail!(
                "TALLY_ENCRYPTION_KEY is not set; Tally never stores bank tokens unencrypted"
            ),
        };
        let not_current = crate::items::tokens_not_current(&db, &cipher)
            .await
            .context("checking which key seals the stored access tokens and two-factor secrets")?;
        if not_current > 0 {
            tracing::warn!(
                tokens = not_current,
                "{not_current} bank access tokens and two-factor secrets are sealed under a key \
                 that is no longer current: run `tally rotate-key` with that key in TALLY_PREVIOUS_ENCRYPTION_KEYS"
            );
        }
        let simulator = match settings.plaid.mode {
            PlaidMode::Simulator => Some(web::Data::new(
                Simulator::new(
                    simulator_db,
                    embedded_simulator_keys(&settings),
                    Some(&settings.server.public_url),
                )
                .await
                .context("starting the Plaid simulator")?,
            )),
            PlaidMode::Sandbox | PlaidMode::Production => None,
        };

        let (events, event_tasks) = EventHub::start(db.clone(), stop_background.clone())
            .await
            .context("listening for live events")?;

        let spa = Spa::load(&settings.server.spa_dir);
        let csp = spa.content_security_policy(settings.plaid.mode);
        let max_body_bytes = settings.server.max_body_bytes;
        let auth_limits = Arc::new(AuthLimits::new(
            settings.auth.logins_per_minute,
            settings.auth.registrations_per_hour,
        ));
        let state = web::Data::new(AppState {
            db,
            plaid: plaid.clone(),
            settings: Arc::new(settings),
            auth_limits,
            quotas: Arc::default(),
            cipher: Arc::new(cipher),
            webhook_verifier: Arc::new(WebhookVerifier::new(plaid.clone())),
            sync_queue: SyncQueue::default(),
            recurring_queue: RecurringQueue::default(),
            events,
        });
        background.spawn(crate::auth::sign_out::purge_periodically(
            state.get_ref().clone(),
            stop_background.clone(),
        ));
        let mut sync_tasks = sync::start(state.get_ref().clone(), stop_background.clone());
        background.spawn(async move { while sync_tasks.join_next().await.is_some() {} });
        background.spawn(crate::recurring::run(
            state.get_ref().clone(),
            stop_background.clone(),
        ));

        // Served over https, browsers are told to come back only over https for a year.
        let https = state.settings.server.public_url.scheme() == "https";
        let server = HttpServer::new(move || {
            let mut security_headers = DefaultHeaders::new()
                .add(("Content-Security-Policy", csp.as_str()))
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
                .add((
                    "Permissions-Policy",
                    "camera=(), microphone=(), geolocation=(), payment=()",
                ));
            if https {
                security_headers =
                    security_headers.add(("Strict-Transport-Security", "max-age=31536000"));
            }
            App::new()
                .wrap(from_fn(origins::refuse_unknown_hosts))
                .wrap(security_headers)
                .wrap(Compress::default())
                .wrap(from_fn(telemetry::request_id_header))
                .wrap(TracingLogger::<telemetry::RequestSpan>::new())
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(max_body_bytes)
                        .error_handler(error::json_error),
                )
                .app_data(web::PayloadConfig::new(max_body_bytes))
                .app_data(web::QueryConfig::default().error_handler(error::query_error))
                .app_data(web::PathConfig::default().error_handler(error::path_error))
                .configure(routes::configure)
                .configure(|cfg| {
                    if let Some(simulator) = &simulator {
                        simulator::configure(cfg, simulator.clone());
                    }
                })
                .configure(|cfg| spa.configure(cfg))
        })
        .keep_alive(KEEP_ALIVE)
        // A compressed answer goes out in several writes (headers and first chunk, then the last
        // chunk). With Nagle's algorithm the last write waits for the client's ACK of the first,
        // which a kept-alive client delays by up to 40 ms: each call the SPA made on its
        // kept-alive connection took 45 ms instead of 2.
        .tcp_nodelay(true)
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE)
        .run();

        stop_on_error.disarm();
        Ok(Self {
            address,
            server,
            stop_background,
            background,
            events: event_tasks,
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// `http://<host>:<port>`, for logs and tests.
    pub fn local_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Serves until `shutdown` completes, then stops accepting, closes the live sockets, lets
    /// in-flight requests finish (up to the grace period), stops the background tasks and returns.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let Self {
            server,
            stop_background,
            mut background,
            events,
            ..
        } = self;
        let handle = server.handle();
        let mut server = tokio::spawn(server);
        let served = tokio::select! {
            finished = &mut server => finished,
            () = shutdown => {
                tracing::info!("shutting down: draining requests");
                let drained = handle.stop(true);
                // Open sockets would hold the drain for the whole grace period; closed now, their
                // browsers reconnect (to another replica, if there is one).
                stop_background.cancel();
                drained.await;
                server.await
            }
        };
        stop_background.cancel();
        events.join().await;
        while background.join_next().await.is_some() {}
        served.context("server task")?.context("server")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Plaid call records waiting to be written; more are dropped (and said so) rather than slow
/// Plaid calls down.
const PLAID_EVENT_BUFFER: usize = 4096;

/// Writes the record of every Plaid call, in batches, until shutdown (then what is left).
async fn record_plaid_calls(
    db: PgPool,
    mut calls: mpsc::Receiver<PlaidApiEvent>,
    stop: CancellationToken,
) {
    let mut batch = Vec::new();
    loop {
        let received = tokio::select! {
            received = calls.recv_many(&mut batch, 256) => received,
            () = stop.cancelled() => {
                calls.close();
                calls.recv_many(&mut batch, PLAID_EVENT_BUFFER).await
            }
        };
        if received == 0 {
            return;
        }
        if let Err(error) = db::events::insert_plaid_api_events(&db, &batch).await {
            tracing::warn!(%error, lost = batch.len(), "cannot record Plaid calls");
        }
        batch.clear();
    }
}

/// The client for this mode's Plaid: Plaid's hosts, or this very server's simulator over
/// loopback, exactly as it would talk to Plaid.
fn plaid_client(settings: &Settings, address: SocketAddr) -> anyhow::Result<PlaidClient> {
    let base_url = match (settings.plaid.mode, &settings.plaid.api_url) {
        (PlaidMode::Simulator, _) => {
            let host = if address.ip().is_unspecified() {
                IpAddr::from([127, 0, 0, 1])
            } else {
                address.ip()
            };
            Url::parse(&format!(
                "http://{}{SIMULATOR_MOUNT}",
                SocketAddr::new(host, address.port())
            ))?
        }
        (PlaidMode::Sandbox | PlaidMode::Production, Some(url)) => url.clone(),
        (PlaidMode::Sandbox, None) => Url::parse(PLAID_SANDBOX_URL)?,
        (PlaidMode::Production, None) => Url::parse(PLAID_PRODUCTION_URL)?,
    };
    let credentials = PlaidCredentials {
        client_id: settings.plaid.client_id.clone().unwrap_or_default(),
        secret: settings
            .plaid
            .secret
            .clone()
            .unwrap_or_else(|| SecretString::from("")),
    };
    Ok(PlaidClient::new(base_url, credentials)?)
}

/// In simulator mode, `PLAID_CLIENT_ID` and `PLAID_SECRET` (when both are set) are the keys the
/// built-in simulator requires, as Plaid would; Tally's own client sends them. The secret also
/// opens the simulator's control and sandbox routes to callers on other machines.
fn embedded_simulator_keys(settings: &Settings) -> Option<simulator::SimulatorKeys> {
    let client_id = settings.plaid.client_id.clone()?;
    let secret = settings.plaid.secret.clone()?;
    Some(simulator::SimulatorKeys { client_id, secret })
}

/// The embedded simulator's connections (its own, beside Tally's).
const SIMULATOR_CONNECTIONS: u32 = 4;

/// A lazily connecting pool: the server starts even if PostgreSQL is briefly away, and
/// `/api/health` says so. It has `held` connections more than configured, for the holders that
/// keep one for long and must not starve requests of theirs (nor be starved by them).
pub fn connect(settings: &DatabaseSettings, held: u32) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(settings.url.expose_secret())
        .context("DATABASE_URL is not a valid PostgreSQL URL")?;
    Ok(PgPoolOptions::new()
        .max_connections(settings.max_connections.saturating_add(held))
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options))
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(error) => {
                    tracing::error!(%error, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = interrupt => {},
            () = terminate => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// The offline Plaid on its own (`tally simulator`), for other apps or a separate process.
pub struct SimulatorServer {
    address: SocketAddr,
    server: Server,
}

impl SimulatorServer {
    /// Serves the simulator at `http://host:port/sim/plaid`, its state in `db`. With `keys`,
    /// requests must carry those credentials, as with Plaid.
    pub async fn build(
        db: PgPool,
        host: IpAddr,
        port: u16,
        keys: Option<simulator::SimulatorKeys>,
    ) -> anyhow::Result<Self> {
        MIGRATOR
            .run(&db)
            .await
            .context("applying database migrations")?;
        let simulator = web::Data::new(Simulator::new(db, keys, None).await?);
        let listener =
            TcpListener::bind((host, port)).with_context(|| format!("binding {host}:{port}"))?;
        let address = listener.local_addr()?;
        let server = HttpServer::new(move || {
            App::new()
                // Its log names the TCP peer, never a forwarded header anyone can write.
                .wrap(TracingLogger::<telemetry::RequestSpan>::new())
                .configure(|cfg| simulator::configure(cfg, simulator.clone()))
        })
        .keep_alive(KEEP_ALIVE)
        // As Tally's own server: no Nagle delay on answers written in pieces.
        .tcp_nodelay(true)
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE)
        .run();
        Ok(Self { address, server })
    }

    /// `http://<host>:<port>/sim/plaid`: the base URL a Plaid client should use.
    pub fn plaid_url(&self) -> String {
        format!("http://{}{SIMULATOR_MOUNT}", self.address)
    }

    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let handle = self.server.handle();
        let mut server = tokio::spawn(self.server);
        tokio::select! {
            finished = &mut server => finished.context("simulator task")?.context("simulator")?,
            () = shutdown => {
                handle.stop(true).await;
                server.await.context("simulator task")?.context("simulator")?;
            }
        }
        Ok(())
    }
}
