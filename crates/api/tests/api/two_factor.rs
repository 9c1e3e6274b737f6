//! Two-factor codes: enrolling, signing in with a code or a recovery code, new recovery codes,
//! turning codes off, and an administrator's reset. Codes are computed here with `totp-rs` from the secret the
//! enrolment answers, as an authenticator app would.

use crate::api_calls::{decoded, login_request, Person, PASSWORD};
use crate::helpers::{browser_like_client, count, spawn_app, spawn_app_with, TestApp};
use reqwest::{Client, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use tally::crypto::TokenCipher;
use tally::items::{rotate_keys, Rotation};
use tally_shared::api::admin::AdminUserList;
use tally_shared::api::session::{LoginResponse, SessionResponse};
use tally_shared::api::two_factor::{
    ConfirmTotpRequest, PasswordAndCodeRequest, RecoveryCodes, TotpEnrolment, TwoFactorChallenge,
    TwoFactorRequest, TwoFactorStatus,
};
use tally_shared::{ApiError, ErrorCode};
use totp_rs::{Builder, Secret};

/// The code an authenticator app with `secret` shows `offset_steps` steps (of 30 s) from now.
pub fn code(secret: &str, offset_steps: i64) -> String {
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = chrono::Utc::now().timestamp() + offset_steps * 30;
    totp.generate(u64::try_from(now).unwrap()).to_string()
}

/// The changes to codes that are on, which take the password and a code.
#[derive(Clone, Copy)]
enum CodesChange {
    TurnOff,
    NewRecoveryCodes,
}

impl TestApp {
    async fn start_totp(&self, client: &Client) -> Response {
        client
            .post(self.url("/api/account/totp"))
            .send()
            .await
            .unwrap()
    }

    async fn confirm_totp(&self, client: &Client, code: &str) -> Response {
        client
            .post(self.url("/api/account/totp/confirm"))
            .json(&ConfirmTotpRequest {
                code: code.to_owned(),
            })
            .send()
            .await
            .unwrap()
    }

    /// Turns codes off (`DELETE /api/account/totp`) or asks for new recovery codes (`POST
    /// /api/account/totp/recovery-codes`) with `password` and `code`.
    async fn change_codes(
        &self,
        client: &Client,
        change: CodesChange,
        password: &str,
        code: &str,
    ) -> Response {
        let request = match change {
            CodesChange::TurnOff => client.delete(self.url("/api/account/totp")),
            CodesChange::NewRecoveryCodes => {
                client.post(self.url("/api/account/totp/recovery-codes"))
            }
        };
        request
            .json(&PasswordAndCodeRequest {
                password: password.to_owned(),
                code: code.to_owned(),
            })
            .send()
            .await
            .unwrap()
    }

    async fn totp_status(&self, client: &Client) -> TwoFactorStatus {
        self.get_json(client, "/api/account/totp").await
    }

    /// The password step of signing in, which must ask for a code (and set no cookie).
    async fn challenge_for(&self, client: &Client, username: &str) -> TwoFactorChallenge {
        let response = self
            .log_in(client, &login_request(username, PASSWORD))
            .await;
        assert!(
            response.cookies().next().is_none(),
            "a session cookie before the code"
        );
        match decoded(response, StatusCode::OK).await {
            LoginResponse::TwoFactorRequired(challenge) => {
                assert!(challenge.two_factor_required);
                challenge
            }
            LoginResponse::SignedIn(_) => panic!("signed in without a code"),
        }
    }

    async fn second_step(&self, client: &Client, challenge: &str, code: &str) -> Response {
        client
            .post(self.url("/api/session/two-factor"))
            .json(&TwoFactorRequest {
                challenge: challenge.to_owned(),
                code: code.to_owned(),
            })
            .send()
            .await
            .unwrap()
    }

    /// Password, then `code`, from a new tab; the answer of the second step.
    async fn sign_in_with(&self, username: &str, code: &str) -> (Client, Response) {
        let client = browser_like_client();
        let challenge = self.challenge_for(&client, username).await;
        let response = self.second_step(&client, &challenge.challenge, code).await;
        (client, response)
    }

    async fn reset_two_factor(&self, client: &Client, id: impl std::fmt::Display) -> Response {
        client
            .post(self.url(&format!("/api/admin/users/{id}/two-factor/reset")))
            .send()
            .await
            .unwrap()
    }
}

/// Enrols `client`'s person: start, then confirm with the code of the step before now (so the
/// test's later codes, of now and the step after, are still unused). Their secret and recovery
/// codes.
pub async fn enrol(app: &TestApp, client: &Client) -> (String, Vec<String>) {
    let enrolment: TotpEnrolment = decoded(app.start_totp(client).await, StatusCode::OK).await;
    let codes: RecoveryCodes = decoded(
        app.confirm_totp(client, &code(&enrolment.secret, -1)).await,
        StatusCode::OK,
    )
    .await;
    (enrolment.secret, codes.codes)
}

/// `name` signed up, with codes on: a tab signed in as them, their secret, recovery codes.
async fn signed_up_with_codes(app: &TestApp, name: &str) -> (Person, String, Vec<String>) {
    let person = app.sign_up(name).await;
    let (secret, recovery) = enrol(app, &person.client).await;
    (person, secret, recovery)
}

async fn refused(response: Response, status: StatusCode, says: &str) -> ApiError {
    let error: ApiError = decoded(response, status).await;
    assert!(error.message.contains(says), "{error:?}");
    error
}

#[sqlx::test(migrations = "../../migrations")]
async fn enrolling_shows_a_secret_and_needs_a_right_code(db: PgPool) {
    let app = spawn_app(db).await;
    let alice = app.sign_up("alice").await;
    let off = app.totp_status(&alice.client).await;
    assert!(!off.totp_enabled && off.recovery_codes_left == 0);

    let enrolment: TotpEnrolment =
        decoded(app.start_totp(&alice.client).await, StatusCode::OK).await;
    assert_eq!(enrolment.secret.len(), 32, "160 bits in base32");
    assert!(
        enrolment
            .otpauth_uri
            .starts_with("otpauth://totp/Tally:alice%40localhost?")
            && enrolment
                .otpauth_uri
                .contains(&format!("secret={}", enrolment.secret)),
        "{}",
        enrolment.otpauth_uri
    );
    assert!(enrolment.qr_svg.starts_with("<svg") && enrolment.qr_svg.ends_with("</svg>"));
    // The secret is sealed at rest: its base32 and its bytes appear nowhere in the row.
    let stored: Vec<u8> = sqlx::query_scalar("select secret from totp_credential")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let raw = Secret::try_from_base32(&enrolment.secret)
        .unwrap()
        .as_ref()
        .to_vec();
    assert!(!stored
        .windows(raw.len())
        .any(|window| window == raw.as_slice()));
    assert!(!String::from_utf8_lossy(&stored).contains(&enrolment.secret));

    // Not on until confirmed: signing in still takes the password alone.
    let signed_in = app
        .log_in(&browser_like_client(), &login_request("alice", PASSWORD))
        .await;
    assert!(matches!(
        decoded(signed_in, StatusCode::OK).await,
        LoginResponse::SignedIn(_)
    ));
    let wrong = app.confirm_totp(&alice.client, "000000").await;
    let error: ApiError = decoded(wrong, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(error.fields[0].field, "code");
    assert!(!app.totp_status(&alice.client).await.totp_enabled);

    let codes: RecoveryCodes = decoded(
        app.confirm_totp(&alice.client, &code(&enrolment.secret, 0))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(codes.codes.len(), 10);
    let on = app.totp_status(&alice.client).await;
    assert!(on.totp_enabled && on.enabled_at.is_some());
    assert_eq!(on.recovery_codes_left, 10);
    // Kept only as their SHA-256.
    assert_eq!(
        count(&app.db, "recovery_code where length(code_hash) = 32").await,
        10
    );
    // Once on, a new enrolment (another app) needs codes turned off first.
    refused(
        app.start_totp(&alice.client).await,
        StatusCode::CONFLICT,
        "already on",
    )
    .await;
    refused(
        app.confirm_totp(&alice.client, &code(&enrolment.secret, 0))
            .await,
        StatusCode::CONFLICT,
        "already on",
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn sign_in_takes_a_code_once_and_a_recovery_code_once(db: PgPool) {
    let app = spawn_app(db).await;
    let (alice, secret, recovery) = signed_up_with_codes(&app, "alice").await;

    // The password alone earns a challenge, not a session.
    let tab = browser_like_client();
    let challenge = app.challenge_for(&tab, "alice").await;
    assert_eq!(app.who_am_i(&tab).await.status(), StatusCode::UNAUTHORIZED);
    // Kept as it was typed: the replay below is this very code, whenever the next step begins.
    let first_code = code(&secret, 0);
    let signed_in: SessionResponse = decoded(
        app.second_step(&tab, &challenge.challenge, &first_code)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(signed_in.user.username, "alice");
    assert_eq!(app.who_am_i(&tab).await.status(), StatusCode::OK);
    // The challenge worked once.
    refused(
        app.second_step(
            &browser_like_client(),
            &challenge.challenge,
            &code(&secret, 1),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "expired or is finished",
    )
    .await;

    // The same code again, on a new sign-in: refused.
    let (replay_tab, replayed) = app.sign_in_with("alice", &first_code).await;
    let error = refused(replayed, StatusCode::UNAUTHORIZED, "used already").await;
    assert_eq!(error.code, ErrorCode::Unauthorized);
    assert_eq!(
        app.who_am_i(&replay_tab).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A recovery code works, typed however (capitals, spaces), once.
    let typed = recovery[3].to_uppercase().replace('-', " ");
    let (_, with_recovery) = app.sign_in_with("alice", &typed).await;
    assert_eq!(with_recovery.status(), StatusCode::OK);
    assert_eq!(app.totp_status(&alice.client).await.recovery_codes_left, 9);
    let (_, again) = app.sign_in_with("alice", &recovery[3]).await;
    refused(again, StatusCode::UNAUTHORIZED, "not right").await;
    // Someone else's recovery code is no code of alice's.
    let (_, _, bobs_codes) = signed_up_with_codes(&app, "bob").await;
    let (_, foreign) = app.sign_in_with("alice", &bobs_codes[0]).await;
    refused(foreign, StatusCode::UNAUTHORIZED, "not right").await;
    // The next step's code still works (one step of tolerance).
    let (_, next) = app.sign_in_with("alice", &code(&secret, 1)).await;
    assert_eq!(next.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../../migrations")]
async fn five_wrong_codes_end_the_challenge(db: PgPool) {
    let app = spawn_app(db).await;
    let (_, secret, _) = signed_up_with_codes(&app, "alice").await;

    // Five wrong codes end a challenge: the right one then needs the password again.
    let tab = browser_like_client();
    let challenge = app.challenge_for(&tab, "alice").await;
    let right = code(&secret, 0);
    let wrongs = [
        "000000",
        "111111",
        "not-a-code",
        "222222",
        "333333",
        "444444",
    ];
    for wrong in wrongs.iter().filter(|wrong| **wrong != right).take(5) {
        refused(
            app.second_step(&tab, &challenge.challenge, wrong).await,
            StatusCode::UNAUTHORIZED,
            "not right",
        )
        .await;
    }
    refused(
        app.second_step(&tab, &challenge.challenge, &code(&secret, 0))
            .await,
        StatusCode::UNAUTHORIZED,
        "expired or is finished",
    )
    .await;
    assert_eq!(count(&app.db, "two_factor_challenge").await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn wrong_codes_are_rate_limited_like_passwords(db: PgPool) {
    // Three a minute, one more each 20 s: a fourth guess made at once is refused.
    let app = spawn_app_with(db, &[("LOGIN_ATTEMPTS_PER_MINUTE", "3")]).await;
    let (_, secret, _) = signed_up_with_codes(&app, "alice").await;

    let tab = browser_like_client();
    let challenge = app.challenge_for(&tab, "alice").await;
    let mut limited = None;
    for _ in 0..4 {
        let response = app.second_step(&tab, &challenge.challenge, "999999x").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = limited.expect("four wrong codes at once were all allowed");
    assert!(limited.headers().contains_key("retry-after"));
    let error: ApiError = limited.json().await.unwrap();
    assert_eq!(error.code, ErrorCode::RateLimited);
    // While limited, even the right code waits, and so does the password.
    let right = app
        .second_step(&tab, &challenge.challenge, &code(&secret, 0))
        .await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    let password = app.log_in(&tab, &login_request("alice", PASSWORD)).await;
    assert_eq!(password.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_expired_challenge_signs_nobody_in(db: PgPool) {
    let app = spawn_app(db).await;
    let (_, secret, _) = signed_up_with_codes(&app, "alice").await;

    let tab = browser_like_client();
    let challenge = app.challenge_for(&tab, "alice").await;
    let lifetime = challenge.expires_at - chrono::Utc::now();
    assert!(
        lifetime <= chrono::Duration::minutes(5) && lifetime > chrono::Duration::minutes(4),
        "{lifetime}"
    );
    sqlx::query("update two_factor_challenge set expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    refused(
        app.second_step(&tab, &challenge.challenge, &code(&secret, 0))
            .await,
        StatusCode::UNAUTHORIZED,
        "expired",
    )
    .await;
    assert_eq!(app.who_am_i(&tab).await.status(), StatusCode::UNAUTHORIZED);
    // The code was not used up by the refused sign-in: a new challenge takes it.
    let (_, fresh) = app.sign_in_with("alice", &code(&secret, 0)).await;
    assert_eq!(fresh.status(), StatusCode::OK);
}

/// What turning codes off and new recovery codes both take: the password and a right code,
/// from a signed-in tab. Each refusal says what `stays`.
async fn assert_needs_password_and_code(
    app: &TestApp,
    client: &Client,
    secret: &str,
    change: CodesChange,
    stays: &str,
) {
    let missing = app.change_codes(client, change, "", " ").await;
    let error: ApiError = decoded(missing, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["password", "code"]);
    let wrong_password = app
        .change_codes(client, change, "not the password", &code(secret, 0))
        .await;
    refused(
        wrong_password,
        StatusCode::FORBIDDEN,
        &format!("not your password; {stays}"),
    )
    .await;
    let wrong_code = app.change_codes(client, change, PASSWORD, "000000").await;
    refused(wrong_code, StatusCode::FORBIDDEN, "code is not right").await;
    // Signed out, nobody can.
    let signed_out = app
        .change_codes(&browser_like_client(), change, PASSWORD, &code(secret, 0))
        .await;
    assert_eq!(signed_out.status(), StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrations = "../../migrations")]
async fn codes_go_off_only_with_the_password_and_a_code(db: PgPool) {
    let app = spawn_app(db).await;
    let (alice, secret, _) = signed_up_with_codes(&app, "alice").await;

    let turn_off = CodesChange::TurnOff;
    assert_needs_password_and_code(
        &app,
        &alice.client,
        &secret,
        turn_off,
        "two-factor codes stay on",
    )
    .await;
    assert!(app.totp_status(&alice.client).await.totp_enabled);

    let off = app
        .change_codes(
            &alice.client,
            CodesChange::TurnOff,
            PASSWORD,
            &code(&secret, 0),
        )
        .await;
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    assert_eq!(count(&app.db, "totp_credential").await, 0);
    assert_eq!(count(&app.db, "recovery_code").await, 0);
    let signed_in = app
        .log_in(&browser_like_client(), &login_request("alice", PASSWORD))
        .await;
    assert!(matches!(
        decoded(signed_in, StatusCode::OK).await,
        LoginResponse::SignedIn(_)
    ));
    refused(
        app.change_codes(
            &alice.client,
            CodesChange::TurnOff,
            PASSWORD,
            &code(&secret, 1),
        )
        .await,
        StatusCode::CONFLICT,
        "not on",
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn new_recovery_codes_replace_the_old_ones_given_the_password_and_a_code(db: PgPool) {
    let app = spawn_app(db).await;
    let (alice, secret, old) = signed_up_with_codes(&app, "alice").await;
    let (_, used) = app.sign_in_with("alice", &old[0]).await;
    assert_eq!(used.status(), StatusCode::OK);
    assert_eq!(app.totp_status(&alice.client).await.recovery_codes_left, 9);

    let renew = CodesChange::NewRecoveryCodes;
    let stays = "your recovery codes stay as they were";
    assert_needs_password_and_code(&app, &alice.client, &secret, renew, stays).await;
    // Refused, nothing changed: the old codes still sign in.
    assert_eq!(app.totp_status(&alice.client).await.recovery_codes_left, 9);

    let fresh: RecoveryCodes = decoded(
        app.change_codes(&alice.client, renew, PASSWORD, &code(&secret, 0))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(fresh.codes.len(), 10);
    assert!(fresh.codes.iter().all(|code| !old.contains(code)));
    assert_eq!(app.totp_status(&alice.client).await.recovery_codes_left, 10);
    // The app's code that allowed it is used up, as at sign-in.
    refused(
        app.change_codes(&alice.client, renew, PASSWORD, &code(&secret, 0))
            .await,
        StatusCode::FORBIDDEN,
        "used already",
    )
    .await;

    let (_, with_old) = app.sign_in_with("alice", &old[1]).await;
    assert_eq!(with_old.status(), StatusCode::UNAUTHORIZED);
    let (_, with_new) = app.sign_in_with("alice", &fresh.codes[3]).await;
    assert_eq!(with_new.status(), StatusCode::OK);

    // A recovery code allows it too, and is replaced with the rest.
    let again: RecoveryCodes = decoded(
        app.change_codes(&alice.client, renew, PASSWORD, &fresh.codes[4])
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(app.totp_status(&alice.client).await.recovery_codes_left, 10);
    let (_, with_replaced) = app.sign_in_with("alice", &fresh.codes[5]).await;
    assert_eq!(with_replaced.status(), StatusCode::UNAUTHORIZED);
    let (_, with_latest) = app.sign_in_with("alice", &again.codes[0]).await;
    assert_eq!(with_latest.status(), StatusCode::OK);

    let off = app
        .change_codes(
            &alice.client,
            CodesChange::TurnOff,
            PASSWORD,
            &code(&secret, 1),
        )
        .await;
    assert_eq!(off.status(), StatusCode::NO_CONTENT);
    refused(
        app.change_codes(&alice.client, renew, PASSWORD, &again.codes[1])
            .await,
        StatusCode::CONFLICT,
        "not on",
    )
    .await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_administrator_resets_someone_elses_second_factor(db: PgPool) {
    let app = spawn_app(db).await;
    let root = app.sign_up("root").await;
    let (bob, secret, _) = signed_up_with_codes(&app, "bob").await;
    let (bobs_phone, signed_in) = app.sign_in_with("bob", &code(&secret, 0)).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let two_factor_of = |list: &AdminUserList, name: &str| {
        list.users
            .iter()
            .find(|user| user.username == name)
            .unwrap()
            .two_factor
    };
    let list: AdminUserList = app.get_json(&root.client, "/api/admin/users").await;
    assert!(two_factor_of(&list, "bob") && !two_factor_of(&list, "root"));

    // Not for oneself, not by a non-administrator, not for nobody.
    let (root_secret, _) = enrol(&app, &root.client).await;
    refused(
        app.reset_two_factor(&root.client, root.user_id).await,
        StatusCode::CONFLICT,
        "cannot reset their own",
    )
    .await;
    assert_eq!(
        app.reset_two_factor(&bob.client, root.user_id)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.reset_two_factor(&root.client, uuid::Uuid::new_v4())
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.reset_two_factor(&root.client, "not-a-uuid")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(app.totp_status(&bob.client).await.totp_enabled);

    let reset = app.reset_two_factor(&root.client, bob.user_id).await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    // Every session of bob's ended; root's codes and session are untouched.
    for tab in [&bob.client, &bobs_phone] {
        assert_eq!(app.who_am_i(tab).await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        count(
            &app.db,
            &format!(
                "recovery_code where user_id = '{}' or user_id = '{}'",
                bob.user_id, root.user_id
            )
        )
        .await,
        10
    );
    let list: AdminUserList = app.get_json(&root.client, "/api/admin/users").await;
    assert!(!two_factor_of(&list, "bob") && two_factor_of(&list, "root"));
    // Bob signs in with the password alone.
    let password_only = app
        .log_in(&browser_like_client(), &login_request("bob", PASSWORD))
        .await;
    assert!(matches!(
        decoded(password_only, StatusCode::OK).await,
        LoginResponse::SignedIn(_)
    ));
    let (_, root_again) = app.sign_in_with("root", &code(&root_secret, 0)).await;
    assert_eq!(root_again.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../../migrations")]
async fn rotating_the_key_reseals_two_factor_secrets(db: PgPool) {
    let (old, new) = (TokenCipher::generate_key(), TokenCipher::generate_key());
    let old_app =
        spawn_app_with(db.clone(), &[("TALLY_ENCRYPTION_KEY", old.expose_secret())]).await;
    let (_, secret, _) = signed_up_with_codes(&old_app, "alice").await;
    let new_app =
        spawn_app_with(db.clone(), &[("TALLY_ENCRYPTION_KEY", new.expose_secret())]).await;
    let (_, unreadable) = new_app.sign_in_with("alice", &code(&secret, 0)).await;
    assert_eq!(unreadable.status(), StatusCode::INTERNAL_SERVER_ERROR);

    let cipher =
        TokenCipher::new(&new, &[SecretString::from(old.expose_secret().to_owned())]).unwrap();
    let rotation = rotate_keys(&db, &cipher).await.unwrap();
    assert_eq!(
        rotation,
        Rotation {
            resealed: 1,
            current: 0,
            unreadable: 0
        }
    );
    let (_, signed_in) = new_app.sign_in_with("alice", &code(&secret, 0)).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let (_, old_key) = old_app.sign_in_with("alice", &code(&secret, 1)).await;
    assert_eq!(
        old_key.status(),
        StatusCode::INTERNAL_SERVER_ERROR,
        "the old key still opens the secret"
    );
}
