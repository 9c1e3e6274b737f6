-- Helpers every later table uses.

-- Keeps `updated_at` current: `select trigger_updated_at('<table>');` after creating a table
-- that has an `updated_at timestamptz not null default now()` column.
create or replace function set_updated_at()
    returns trigger as
$$
begin
    new.updated_at = now();
    return new;
end;
$$ language plpgsql;

create or replace function trigger_updated_at(tablename regclass)
    returns void as
$$
begin
    execute format('create trigger set_updated_at
        before update
        on %s
        for each row
        when (old is distinct from new)
    execute function set_updated_at();', tablename);
end;
$$ language plpgsql;

-- Case-insensitive text, for usernames.
create extension if not exists citext;
