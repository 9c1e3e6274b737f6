-- What a person sees in their list of signed-in browsers: which browser it is (its User-Agent,
-- shortened) and the address it signed in from. Sessions from before have neither.
alter table user_session
    add column user_agent text,
    add column address    text;

-- The periodic purge finds ended sessions by their expiry and by their age.
create index user_session_expires on user_session (expires_at);
create index user_session_created on user_session (created_at);
