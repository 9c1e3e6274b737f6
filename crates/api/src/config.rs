//! Typed configuration, read once at start from the environment (and `.env`, when present).
//!
//! Every setting is documented in `.env.template`. Secrets are `SecretString`s from the moment
//! they are read, so they never reach a log through `Debug`.

use crate::client_address::TrustedProxies;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use tally_shared::api::config::{PlaidMode, Registration};
use url::Url;

/// The script Plaid serves for Link in sandbox and production.
pub const PLAID_LINK_CDN_SCRIPT: &str = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";
pub const PLAID_SANDBOX_URL: &str = "https://sandbox.plaid.com";
pub const PLAID_PRODUCTION_URL: &str = "https://production.plaid.com";
/// Where the simulator is mounted inside Tally.
pub const SIMULATOR_MOUNT: &str = "/sim/plaid";

#[derive(Debug, Clone)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub plaid: PlaidSettings,
    /// Base64 of 32 random bytes; encrypts Plaid access tokens at rest.
    pub encryption_key: Option<SecretString>,
    /// Keys from before a rotation: they still open old tokens until `tally rotate-key`.
    pub previous_encryption_keys: Vec<SecretString>,
    pub auth: AuthSettings,
    pub sync: SyncSettings,
    pub log: LogSettings,
    /// Settings Tally no longer reads that were given anyway; start-up warns about each.
    pub ignored: Vec<IgnoredSetting>,
}

/// A setting that is given but no longer means anything, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredSetting {
    pub name: &'static str,
    pub reason: &'static str,
}

#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Every item is synced at least this often, webhook or not (jittered by up to a tenth).
    pub interval: std::time::Duration,
    /// Sync jobs run at once in this process.
    pub workers: usize,
    /// The first retry of a failed sync waits this long; each next one twice as long.
    pub retry_base: std::time::Duration,
    /// Attempts before an item shows the error.
    pub max_attempts: u32,
    /// How long a worker holds a job without renewing it; it renews every third of this while
    /// the job runs, and a job held longer is taken to be orphaned (its worker died).
    pub lease: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// Who may create an account once the first (the administrator) exists.
    pub registration: Registration,
    /// Failed log-ins allowed per minute per (username, client address).
    pub logins_per_minute: std::num::NonZeroU32,
    /// Registrations allowed per hour per client address.
    pub registrations_per_hour: std::num::NonZeroU32,
    /// A session ends this long after sign-in, however often it is used.
    pub session_lifetime: std::time::Duration,
    /// How often ended sessions are removed from the database.
    pub session_purge_interval: std::time::Duration,
}

#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub host: IpAddr,
    /// 0 picks a free port (tests).
    pub port: u16,
    /// The address people reach Tally at; origin checks, cookies and OAuth redirects use it.
    pub public_url: Url,
    /// The web app's built files (`trunk build` output).
    pub spa_dir: PathBuf,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Reverse proxies whose `Forwarded`/`X-Forwarded-For` name the real caller.
    pub trusted_proxies: TrustedProxies,
    /// Origins besides `public_url`'s whose pages may use Tally (`https://host[:port]`, as a
    /// browser writes them in `Origin`); their hosts are answered to as well.
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub max_connections: u32,
}

#[derive(Debug, Clone)]
pub struct PlaidSettings {
    pub mode: PlaidMode,
    pub client_id: Option<String>,
    pub secret: Option<SecretString>,
    /// Where banks send people back after an OAuth consent.
    pub redirect_uri: Url,
    /// Sandbox/production only: another address for Plaid's API (a proxy, or a separately run
    /// `tally simulator`). `None`: Plaid's own host for the mode.
    pub api_url: Option<Url>,
}

impl PlaidSettings {
    /// The URL of the script that defines `window.Plaid` for this mode.
    pub fn link_script_url(&self) -> String {
        match self.mode {
            PlaidMode::Simulator => format!("{SIMULATOR_MOUNT}/link-initialize.js"),
            PlaidMode::Sandbox | PlaidMode::Production => PLAID_LINK_CDN_SCRIPT.to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct LogSettings {
    /// A `tracing_subscriber::EnvFilter` directive such as `info` or `tally=debug,info`.
    pub filter: String,
    pub format: LogFormat,
}

#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

fn invalid(name: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        reason: reason.into(),
    }
}

/// Every variable Tally reads, as named in `.env.template`.
const VARIABLES: &[&str] = &[
    "HOST",
    "PORT",
    "PUBLIC_URL",
    "SPA_DIR",
    "MAX_BODY_BYTES",
    "TRUSTED_PROXIES",
    "ALLOWED_ORIGINS",
    "DATABASE_URL",
    "DATABASE_MAX_CONNECTIONS",
    "PLAID_ENV",
    "PLAID_CLIENT_ID",
    "PLAID_SECRET",
    "PLAID_REDIRECT_URI",
    "PLAID_API_URL",
    "SIMULATOR_PUBLIC",
    "TALLY_ENCRYPTION_KEY",
    "TALLY_PREVIOUS_ENCRYPTION_KEYS",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "REGISTRATION",
    "LOGIN_ATTEMPTS_PER_MINUTE",
    "REGISTRATIONS_PER_HOUR",
    "SESSION_LIFETIME",
    "SESSION_PURGE_INTERVAL",
    "SYNC_INTERVAL",
    "SYNC_WORKERS",
    "SYNC_RETRY_BASE",
    "SYNC_MAX_ATTEMPTS",
    "SYNC_LEASE",
    // No longer read; named here so that start-up can warn that it is ignored.
    "ADMIN_USERNAMES",
];

/// The longest `SESSION_LIFETIME`: browsers keep a cookie at most 400 days.
const MAX_SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(400 * 86_400);

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:55432/tally";

/// The variables as given; empty values count as unset.
struct Vars(BTreeMap<&'static str, String>);

impl Vars {
    fn text(&mut self, name: &'static str) -> Option<String> {
        self.0.remove(name).filter(|v| !v.trim().is_empty())
    }

    fn secret(&mut self, name: &'static str) -> Option<SecretString> {
        self.text(name).map(SecretString::from)
    }

    fn parsed<T: FromStr>(&mut self, name: &'static str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.text(name) {
            Some(value) => value
                .trim()
                .parse()
                .map_err(|e| invalid(name, format!("{value:?}: {e}"))),
            None => Ok(default),
        }
    }
}

impl Vars {
    /// A duration such as `6h`, `30m` or `1500ms`; zero is refused.
    fn duration(
        &mut self,
        name: &'static str,
        default: &str,
    ) -> Result<std::time::Duration, ConfigError> {
        let text = self.text(name).unwrap_or_else(|| default.to_owned());
        match humantime::parse_duration(text.trim()) {
            Ok(duration) if !duration.is_zero() => Ok(duration),
            Ok(_) => Err(invalid(name, "must be longer than zero")),
            Err(e) => Err(invalid(
                name,
                format!("{text:?}: {e} (write e.g. 6h, 30m, 45s)"),
            )),
        }
    }
}

impl Settings {
    /// Reads `.env` (if there is one; real environment variables win) and then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        // A missing .env is normal (Docker, CI); a malformed one is reported, not ignored.
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(error) if error.not_found() => {}
            Err(error) => return Err(invalid(".env", error.to_string())),
        }
        let vars: Vec<(&str, String)> = VARIABLES
            .iter()
            .filter_map(|name| std::env::var(name).ok().map(|value| (*name, value)))
            .collect();
        Self::from_vars(vars.iter().map(|(name, value)| (*name, value.as_str())))
    }

    /// Settings from explicit `NAME=value` pairs, ignoring the environment (tests, tools).
    /// Unknown names are ignored, as unknown environment variables are.
    pub fn from_vars<'a>(
        vars: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, ConfigError> {
        let mut known = BTreeMap::new();
        for (name, value) in vars {
            if let Some(known_name) = VARIABLES.iter().find(|v| **v == name) {
                known.insert(*known_name, value.to_owned());
            }
        }
        Self::from_known(Vars(known))
    }

    fn from_known(mut vars: Vars) -> Result<Self, ConfigError> {
        let host: IpAddr = vars.parsed("HOST", IpAddr::from([127, 0, 0, 1]))?;
        let port: u16 = vars.parsed("PORT", 3001)?;
        let public_url = parse_url(
            "PUBLIC_URL",
            &vars
                .text("PUBLIC_URL")
                .unwrap_or_else(|| format!("http://localhost:{port}")),
        )?;

        let client_id = vars.text("PLAID_CLIENT_ID");
        let secret = vars.secret("PLAID_SECRET");
        let mode = match vars.text("PLAID_ENV").as_deref().map(str::trim) {
            Some("simulator") => PlaidMode::Simulator,
            Some("sandbox") => PlaidMode::Sandbox,
            Some("production") => PlaidMode::Production,
            Some(other) => {
                return Err(invalid(
                    "PLAID_ENV",
                    format!("{other:?} is not one of simulator, sandbox, production"),
                ))
            }
            None if client_id.is_some() => PlaidMode::Sandbox,
            None => PlaidMode::Simulator,
        };
        if mode != PlaidMode::Simulator && (client_id.is_none() || secret.is_none()) {
            return Err(invalid(
                "PLAID_ENV",
                format!(
                    "{} needs PLAID_CLIENT_ID and PLAID_SECRET (or use PLAID_ENV=simulator)",
                    mode.as_str()
                ),
            ));
        }
        let simulator_public: bool = vars.parsed("SIMULATOR_PUBLIC", false)?;
        if mode == PlaidMode::Simulator && !host.is_loopback() && !simulator_public {
            return Err(invalid(
                "HOST",
                format!(
                    "{host} is not a loopback address, and in simulator mode Tally serves a fake \
                     Plaid whose Link pages let anyone invent a bank. Listen on 127.0.0.1, or, if \
                     only this machine can reach {host} (a container whose port is published on \
                     127.0.0.1), set SIMULATOR_PUBLIC=true"
                ),
            ));
        }
        let redirect_uri = match vars.text("PLAID_REDIRECT_URI") {
            Some(uri) => parse_url("PLAID_REDIRECT_URI", &uri)?,
            None => public_url
                .join("/oauth-link")
                .map_err(|e| invalid("PUBLIC_URL", e.to_string()))?,
        };

        let api_url = vars
            .text("PLAID_API_URL")
            .map(|url| parse_url("PLAID_API_URL", &url))
            .transpose()?;

        let max_connections: u32 = vars.parsed("DATABASE_MAX_CONNECTIONS", 10)?;
        if max_connections == 0 {
            return Err(invalid("DATABASE_MAX_CONNECTIONS", "must be at least 1"));
        }
        let max_body_bytes: usize = vars.parsed("MAX_BODY_BYTES", 256 * 1024)?;
        if max_body_bytes < 1024 {
            return Err(invalid("MAX_BODY_BYTES", "must be at least 1024"));
        }
        let trusted_proxies =
            TrustedProxies::parse(&vars.text("TRUSTED_PROXIES").unwrap_or_default())
                .map_err(|reason| invalid("TRUSTED_PROXIES", reason))?;
        let allowed_origins = vars
            .text("ALLOWED_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(parse_origin)
            .collect::<Result<Vec<_>, _>>()?;
        let format = match vars.text("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "LOG_FORMAT",
                    format!("{other:?} is not one of pretty, json"),
                ))
            }
        };

        let registration = match vars.text("REGISTRATION").as_deref().map(str::trim) {
            None | Some("invite") => Registration::Invite,
            Some("open") => Registration::Open,
            Some("closed") => Registration::Closed,
            Some(other) => {
                return Err(invalid(
                    "REGISTRATION",
                    format!("{other:?} is not one of invite, open, closed"),
                ))
            }
        };
        let mut ignored = Vec::new();
        if vars.text("ADMIN_USERNAMES").is_some() {
            ignored.push(IgnoredSetting {
                name: "ADMIN_USERNAMES",
                reason: "a name no longer makes whoever signs up with it an administrator; \
                         the first account is the administrator, and administrators promote \
                         others on the admin page",
            });
        }

        Ok(Self {
            server: ServerSettings {
                host,
                port,
                public_url,
                spa_dir: PathBuf::from(
                    vars.text("SPA_DIR")
                        .unwrap_or_else(|| "crates/web/dist".to_owned()),
                ),
                max_body_bytes,
                trusted_proxies,
                allowed_origins,
            },
            database: DatabaseSettings {
                url: vars
                    .secret("DATABASE_URL")
                    .unwrap_or_else(|| SecretString::from(DEFAULT_DATABASE_URL)),
                max_connections,
            },
            plaid: PlaidSettings {
                mode,
                client_id,
                secret,
                redirect_uri,
                api_url,
            },
            encryption_key: vars.secret("TALLY_ENCRYPTION_KEY"),
            previous_encryption_keys: vars
                .text("TALLY_PREVIOUS_ENCRYPTION_KEYS")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|key| !key.is_empty())
                .map(|key| SecretString::from(key.to_owned()))
                .collect(),
            auth: AuthSettings {
                registration,
                logins_per_minute: vars.parsed(
                    "LOGIN_ATTEMPTS_PER_MINUTE",
                    std::num::NonZeroU32::MIN.saturating_add(9),
                )?,
                registrations_per_hour: vars.parsed(
                    "REGISTRATIONS_PER_HOUR",
                    std::num::NonZeroU32::MIN.saturating_add(19),
                )?,
                session_lifetime: match vars.duration("SESSION_LIFETIME", "30days")? {
                    // Browsers keep the cookie no longer than that anyway.
                    longer if longer > MAX_SESSION_LIFETIME => {
                        return Err(invalid("SESSION_LIFETIME", "must be at most 400days"))
                    }
                    lifetime => lifetime,
                },
                session_purge_interval: vars.duration("SESSION_PURGE_INTERVAL", "1h")?,
            },
            sync: SyncSettings {
                interval: vars.duration("SYNC_INTERVAL", "6h")?,
                workers: match vars.parsed("SYNC_WORKERS", 2)? {
                    0 => return Err(invalid("SYNC_WORKERS", "must be at least 1")),
                    workers => workers,
                },
                retry_base: vars.duration("SYNC_RETRY_BASE", "2s")?,
                max_attempts: match vars.parsed("SYNC_MAX_ATTEMPTS", 5)? {
                    0 => return Err(invalid("SYNC_MAX_ATTEMPTS", "must be at least 1")),
                    attempts => attempts,
                },
                lease: vars.duration("SYNC_LEASE", "2m")?,
            },
            log: LogSettings {
                filter: vars.text("LOG_LEVEL").unwrap_or_else(|| "info".to_owned()),
                format,
            },
            ignored,
        })
    }
}

impl Settings {
    /// Tally never stores bank tokens unencrypted. In simulator mode a missing key is made and
    /// written to `env_file` (as `make start` does); with real Plaid keys it must be set.
    pub fn ensure_encryption_key(&mut self, env_file: &std::path::Path) -> anyhow::Result<()> {
        if self.encryption_key.is_some() {
            return Ok(());
        }
        if self.plaid.mode != PlaidMode::Simulator {
            anyhow::bail!(
                "TALLY_ENCRYPTION_KEY is not set. Tally encrypts bank access tokens and will not \
                 start without a key in {} mode: make one with `head -c 32 /dev/urandom | base64`.",
                self.plaid.mode.as_str()
            );
        }
        let key = crate::crypto::TokenCipher::generate_key();
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(env_file)?;
        // The file now holds the key: only its owner may read it, whoever made it before.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        use std::io::Write;
        writeln!(
            file,
            "\n# Generated by Tally on first start: encrypts bank access tokens. Keep it safe.\nTALLY_ENCRYPTION_KEY={}",
            secrecy::ExposeSecret::expose_secret(&key)
        )?;
        tracing::warn!(file = %env_file.display(), "no TALLY_ENCRYPTION_KEY: generated one");
        self.encryption_key = Some(key);
        Ok(())
    }
}

/// `https://host[:port]` and nothing more, as browsers write it in `Origin`.
fn parse_origin(text: &str) -> Result<String, ConfigError> {
    let refused = || {
        invalid(
            "ALLOWED_ORIGINS",
            format!("{text:?} is not an origin (write e.g. https://tally.example.com:8443)"),
        )
    };
    let url = Url::parse(text).map_err(|_| refused())?;
    let bare = url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && !text.trim_end_matches('/').ends_with('/');
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() || !bare {
        return Err(refused());
    }
    Ok(url.origin().ascii_serialization())
}

fn parse_url(name: &'static str, value: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(value).map_err(|e| invalid(name, format!("{value:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(name, format!("{value:?} is not an http(s) URL")));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_vars(pairs.iter().copied())
    }

    #[test]
    fn defaults_run_the_simulator_on_3001() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.plaid.mode, PlaidMode::Simulator);
        assert_eq!(s.server.port, 3001);
        assert_eq!(s.server.public_url.as_str(), "http://localhost:3001/");
        assert_eq!(
            s.plaid.redirect_uri.as_str(),
            "http://localhost:3001/oauth-link"
        );
        assert_eq!(s.plaid.link_script_url(), "/sim/plaid/link-initialize.js");
        assert_eq!(s.log.format, LogFormat::Pretty);
    }

    #[test]
    fn the_simulator_listens_beyond_loopback_only_when_told_to() {
        for host in ["0.0.0.0", "192.0.2.7", "::"] {
            let err = settings(&[("HOST", host)]).unwrap_err().to_string();
            assert!(
                err.starts_with("HOST") && err.contains("SIMULATOR_PUBLIC=true"),
                "{host}: {err}"
            );
            let s = settings(&[("HOST", host), ("SIMULATOR_PUBLIC", "true")]).unwrap();
            assert_eq!(s.server.host.to_string(), host);
        }
        for host in ["127.0.0.1", "127.0.0.2", "::1"] {
            assert!(settings(&[("HOST", host)]).is_ok(), "{host}");
        }
        let real_plaid = [
            ("HOST", "0.0.0.0"),
            ("PLAID_CLIENT_ID", "id"),
            ("PLAID_SECRET", "s"),
        ];
        assert!(settings(&real_plaid).is_ok());
        let err = settings(&[("SIMULATOR_PUBLIC", "yes")]).unwrap_err();
        assert!(err.to_string().starts_with("SIMULATOR_PUBLIC"), "{err}");
    }

    #[test]
    fn a_client_id_means_sandbox_and_needs_a_secret() {
        let err = settings(&[("PLAID_CLIENT_ID", "abc")]).unwrap_err();
        assert!(err.to_string().contains("PLAID_SECRET"), "{err}");

        let s = settings(&[("PLAID_CLIENT_ID", "abc"), ("PLAID_SECRET", "shh")]).unwrap();
        assert_eq!(s.plaid.mode, PlaidMode::Sandbox);
        assert_eq!(s.plaid.link_script_url(), PLAID_LINK_CDN_SCRIPT);
    }

    #[test]
    fn rejects_bad_values_by_name() {
        let cases = [
            ("PLAID_ENV", "staging"),
            ("PUBLIC_URL", "ftp://example.com"),
            ("PUBLIC_URL", "not a url"),
            ("HOST", "localhost"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("MAX_BODY_BYTES", "10"),
            ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
            ("ALLOWED_ORIGINS", "https://tally.example.com/app"),
            ("ALLOWED_ORIGINS", "tally.example.com"),
        ];
        for (name, value) in cases {
            let err = settings(&[(name, value)]).unwrap_err();
            assert!(err.to_string().contains(name), "{name}={value}: {err}");
        }
        for (name, value) in [
            ("PORT", "seventy"),
            ("PORT", "70000"),
            ("LOG_FORMAT", "xml"),
        ] {
            let err = settings(&[(name, value)]).unwrap_err();
            assert!(err.to_string().starts_with(name), "{name}={value}: {err}");
        }
    }

    #[test]
    fn a_missing_key_is_generated_in_simulator_mode_only() {
        let dir = tempfile::tempdir().unwrap();
        let env_file = dir.path().join(".env");
        std::fs::write(&env_file, "PORT=3001\n").unwrap();
        let mut simulator = settings(&[]).unwrap();
        simulator.ensure_encryption_key(&env_file).unwrap();
        let written = std::fs::read_to_string(&env_file).unwrap();
        let key = secrecy::ExposeSecret::expose_secret(simulator.encryption_key.as_ref().unwrap())
            .to_owned();
        assert!(
            written.starts_with("PORT=3001\n")
                && written.contains(&format!("TALLY_ENCRYPTION_KEY={key}"))
        );
        assert!(crate::crypto::TokenCipher::new(&SecretString::from(key), &[]).is_ok());
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(&env_file).unwrap().permissions(),
        );
        assert_eq!(mode & 0o777, 0o600, "the .env holding the key is {mode:o}");

        let mut sandbox = settings(&[("PLAID_CLIENT_ID", "id"), ("PLAID_SECRET", "s")]).unwrap();
        let error = sandbox.ensure_encryption_key(&env_file).unwrap_err();
        assert!(
            error.to_string().contains("TALLY_ENCRYPTION_KEY"),
            "{error}"
        );
    }

    #[test]
    fn registration_is_by_invite_unless_said_otherwise() {
        assert_eq!(
            settings(&[]).unwrap().auth.registration,
            Registration::Invite
        );
        for (value, mode) in [
            ("open", Registration::Open),
            ("closed", Registration::Closed),
            ("invite", Registration::Invite),
        ] {
            let s = settings(&[("REGISTRATION", value)]).unwrap();
            assert_eq!(s.auth.registration, mode);
        }
        let err = settings(&[("REGISTRATION", "everyone")]).unwrap_err();
        assert!(err.to_string().starts_with("REGISTRATION"), "{err}");
    }

    #[test]
    fn admin_usernames_is_ignored_and_named() {
        assert!(settings(&[]).unwrap().ignored.is_empty());
        let s = settings(&[("ADMIN_USERNAMES", "root")]).unwrap();
        assert_eq!(s.ignored.len(), 1);
        assert_eq!(s.ignored[0].name, "ADMIN_USERNAMES");
    }

    #[test]
    fn empty_values_count_as_unset() {
        let s = settings(&[("PLAID_CLIENT_ID", ""), ("PLAID_ENV", "")]).unwrap();
        assert_eq!(s.plaid.mode, PlaidMode::Simulator);
        assert!(s.encryption_key.is_none());
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let s = settings(&[
            ("DATABASE_URL", "postgres://u:hunter2hunter2@db/tally"),
            ("PLAID_CLIENT_ID", "id"),
            ("PLAID_SECRET", "plaid-secret-value"),
            ("TALLY_ENCRYPTION_KEY", "key-material-value"),
        ])
        .unwrap();
        let printed = format!("{s:?}");
        for secret in ["hunter2hunter2", "plaid-secret-value", "key-material-value"] {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
    }

    #[test]
    fn sessions_live_30_days_unless_said_otherwise_and_never_past_a_cookie() {
        let day = std::time::Duration::from_secs(86_400);
        let s = settings(&[]).unwrap();
        assert_eq!(s.auth.session_lifetime, day * 30);
        assert_eq!(s.auth.session_purge_interval, day / 24);
        let s = settings(&[("SESSION_LIFETIME", "12h")]).unwrap();
        assert_eq!(s.auth.session_lifetime, day / 2);
        assert!(settings(&[("SESSION_LIFETIME", "400days")]).is_ok());
        let error = settings(&[("SESSION_LIFETIME", "401days")]).unwrap_err();
        assert!(error.to_string().starts_with("SESSION_LIFETIME"), "{error}");
        assert!(settings(&[("SESSION_PURGE_INTERVAL", "0s")]).is_err());
    }
}
