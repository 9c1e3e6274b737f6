-- Budgets: a monthly plan per spending category.
--
-- A budget is kept as versions: each row holds from its month onward, until the category's next
-- row. Editing "from a month onward" writes a row at that month and drops the later ones, so the
-- months before it keep what they had. A row without an amount ends the budget from its month
-- (deleting from a month onward); the months before keep theirs.
create table budget
(
    user_id     uuid    not null references app_user (user_id) on delete cascade,
    category_id uuid    not null references category (category_id) on delete cascade,
    -- The first day of the month the version takes effect.
    from_month  date    not null check (from_month = date_trunc('month', from_month)::date),
    -- Null: no budget from this month on.
    amount      numeric check (amount >= 0),
    currency    text check (currency ~ '^[A-Z]{3}$'),
    rollover    boolean not null default false,
    updated_at  timestamptz not null default now(),
    primary key (user_id, category_id, from_month),
    check ((amount is null) = (currency is null))
);

-- Budget alerts already sent: once per budget, month and threshold, across restarts.
create table budget_alert
(
    user_id     uuid     not null references app_user (user_id) on delete cascade,
    category_id uuid     not null references category (category_id) on delete cascade,
    month       date     not null,
    threshold   smallint not null check (threshold in (80, 100)),
    sent_at     timestamptz not null default now(),
    primary key (user_id, category_id, month, threshold)
);
