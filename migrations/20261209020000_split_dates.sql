-- A split part carries its transaction's date (issue #16), so that spending and budgets look up
-- only the split transactions of the period they sum, not every split transaction the person
-- has: with 1,000 split transactions every spending and budgets read paid 1,000 lookups by id,
-- 12–16 ms, whatever the period.
--
-- Kept by the database: a part takes the date when it is written, and follows its transaction's
-- date when a statement changes it (a pending transaction posting on another day, a bank's
-- correction), so no writer of either table can leave it behind.
alter table transaction_split
    add column date date;
update transaction_split s
set date = t.date
from bank_transaction t
where t.transaction_id = s.transaction_id;
alter table transaction_split
    alter column date set not null;
create index transaction_split_user_date on transaction_split (user_id, date);

create function transaction_split_dated()
    returns trigger
    language plpgsql
as
$$
begin
    select date into new.date from bank_transaction where transaction_id = new.transaction_id;
    return new;
end;
$$;

create trigger transaction_split_date
    before insert or update of transaction_id on transaction_split
    for each row
execute function transaction_split_dated();

create function transaction_split_follow_date()
    returns trigger
    language plpgsql
as
$$
begin
    update transaction_split s
    set date = n.date
    from new_rows n
         join old_rows o using (transaction_id)
    where s.transaction_id = n.transaction_id
      and n.date <> o.date;
    return null;
end;
$$;

create trigger bank_transaction_split_date
    after update on bank_transaction
    referencing old table as old_rows new table as new_rows
    for each statement
execute function transaction_split_follow_date();
