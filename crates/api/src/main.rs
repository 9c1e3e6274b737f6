use anyhow::Context;
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::net::IpAddr;
use tally::config::Settings;
use tally::simulator::SimulatorKeys;
use tally::startup::{connect, shutdown_signal, Application, SimulatorServer};
use tally::telemetry;

/// Tally: a self-hosted personal finance manager.
#[derive(Parser)]
#[command(name = "tally", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run Tally (what `tally` alone does).
    Serve,
    /// Run only the offline Plaid simulator, at http://HOST:PORT/sim/plaid.
    Simulator {
        #[arg(long, default_value_t = 4001)]
        port: u16,
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Require this client id (and --secret) on every request, as Plaid does
        /// (default: SIMULATOR_CLIENT_ID from the environment or .env).
        #[arg(long, requires = "secret")]
        client_id: Option<String>,
        /// The secret that goes with --client-id (default: SIMULATOR_SECRET).
        #[arg(long)]
        secret: Option<String>,
    },
    /// Re-encrypt every stored bank access token under TALLY_ENCRYPTION_KEY. Put the old key in
    /// TALLY_PREVIOUS_ENCRYPTION_KEYS first; once this reports nothing unreadable, remove it.
    RotateKey,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut settings = Settings::load().context("reading configuration")?;
    telemetry::init(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            settings.ensure_encryption_key(std::path::Path::new(".env"))?;
            let application = Application::build(settings).await?;
            tracing::info!(url = %application.local_url(), "Tally is listening");
            application.run_until_stopped(shutdown_signal()).await
        }
        Command::RotateKey => {
            let Some(key) = &settings.encryption_key else {
                anyhow::bail!("TALLY_ENCRYPTION_KEY is not set: there is no key to rotate to");
            };
            let cipher = tally::crypto::TokenCipher::new(key, &settings.previous_encryption_keys)?;
            let db = connect(&settings.database, 0)?;
            tally::startup::MIGRATOR.run(&db).await?;
            let rotation = tally::items::rotate_keys(&db, &cipher).await?;
            println!(
                "re-encrypted {} secrets (bank access tokens and two-factor secrets); {} were already under the current key; {} could not be opened",
                rotation.resealed, rotation.current, rotation.unreadable
            );
            if rotation.unreadable > 0 {
                anyhow::bail!(
                    "{} secrets are sealed under a key that is not configured: add it to \
                     TALLY_PREVIOUS_ENCRYPTION_KEYS and run this again",
                    rotation.unreadable
                );
            }
            Ok(())
        }
        Command::Simulator {
            port,
            host,
            client_id,
            secret,
        } => {
            // Flags win; else the environment or .env (read by Settings::load), blank as unset.
            let from_env = |name| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
            let keys = match (
                client_id.or_else(|| from_env("SIMULATOR_CLIENT_ID")),
                secret.or_else(|| from_env("SIMULATOR_SECRET")),
            ) {
                (Some(client_id), Some(secret)) => Some(SimulatorKeys {
                    client_id,
                    secret: SecretString::from(secret),
                }),
                (None, None) => None,
                _ => anyhow::bail!(
                    "the simulator's client id and secret go together: set both \
                     (--client-id and --secret, or SIMULATOR_CLIENT_ID and SIMULATOR_SECRET) or neither"
                ),
            };
            let db = connect(&settings.database, 0)?;
            let simulator = SimulatorServer::build(db, host, port, keys).await?;
            tracing::info!(url = %simulator.plaid_url(), "the Plaid simulator is listening");
            simulator.run_until_stopped(shutdown_signal()).await
        }
    }
}
