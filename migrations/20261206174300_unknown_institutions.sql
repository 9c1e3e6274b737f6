-- Institution ids Plaid said it does not know, remembered briefly so that asking again and again
-- for a made-up id does not call Plaid each time. Expired rows are dropped as new ones come.
create table unknown_institution
(
    institution_id text primary key,
    unknown_until  timestamptz not null
);
create index unknown_institution_until on unknown_institution (unknown_until);
