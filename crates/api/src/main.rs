use anyhow::Context;
use tally::config::Settings;
use tally::startup::{shutdown_signal, Application};
use tally::telemetry;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = Settings::load().context("reading configuration")?;
    telemetry::init(&settings.log);
    let application = Application::build(settings).await?;
    tracing::info!(url = %application.local_url(), "Tally is listening");
    application.run_until_stopped(shutdown_signal()).await
}
