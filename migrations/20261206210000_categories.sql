-- Categories: Plaid's personal finance categories (PFC v2), shared by everyone, and each person's
-- own; a person's changes to Plaid's (name, hidden, kind) are kept apart from them, so Plaid's
-- taxonomy stays one copy. `docs/architecture.md` ("Categories") explains the design.

create table category
(
    category_id uuid primary key     default gen_random_uuid(),
    -- Null for Plaid's categories, which every user sees; else the person who made it.
    user_id     uuid references app_user (user_id) on delete cascade,
    -- A detailed category's primary. Two levels at most: a parent has no parent (checked below).
    parent_id   uuid references category (category_id) on delete cascade,
    -- Plaid's PFC v2 code (`FOOD_AND_DRINK`, `FOOD_AND_DRINK_COFFEE`) for Plaid's categories.
    plaid_code  text unique,
    name        text        not null,
    -- Only `spending` counts as spending.
    kind        text        not null,
    -- A person's own category can be hidden here; Plaid's are hidden per person by an override.
    hidden      boolean     not null default false,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint category_kind_check check (kind in ('spending', 'income', 'transfer')),
    constraint category_name_check check (char_length(name) between 1 and 60),
    constraint category_origin_check check ((user_id is null) = (plaid_code is not null)),
    constraint category_plaid_shown_check check (user_id is not null or not hidden)
);
select trigger_updated_at('category');
create index category_user on category (user_id, parent_id);
create index category_parent on category (parent_id);

-- A parent is a primary (no parent of its own) that its child's owner can see: Plaid's, or theirs.
create function category_parent_must_be_primary()
    returns trigger as
$$
begin
    if new.parent_id is not null and not exists (
        select 1
        from category parent
        where parent.category_id = new.parent_id
          and parent.parent_id is null
          and (parent.user_id is null or parent.user_id = new.user_id)) then
        raise exception 'category %: its parent % is not a primary its owner sees',
            new.category_id, new.parent_id
            using errcode = 'check_violation', constraint = 'category_parent_primary';
    end if;
    return new;
end;
$$ language plpgsql;

create trigger category_parent_primary
    before insert or update of parent_id, user_id
    on category
    for each row
execute function category_parent_must_be_primary();

-- A person's changes to one of Plaid's categories; a null name or kind keeps Plaid's.
create table category_override
(
    user_id     uuid        not null references app_user (user_id) on delete cascade,
    category_id uuid        not null references category (category_id) on delete cascade,
    name        text,
    hidden      boolean     not null default false,
    kind        text,
    updated_at  timestamptz not null default now(),
    primary key (user_id, category_id),
    constraint category_override_kind_check check (kind in ('spending', 'income', 'transfer')),
    constraint category_override_name_check check (char_length(name) between 1 and 60)
);
select trigger_updated_at('category_override');

-- Plaid's PFC v2 taxonomy (`pfc-taxonomy-all.csv`): every primary, then every detailed one.
-- Kinds: INCOME is income; money moving between the person's own pockets is a transfer
-- (TRANSFER_IN, TRANSFER_OUT), and so are loans: a disbursement is borrowed money, not earned,
-- and a payment moves money to a debt whose purchases were already counted (a card) or pays
-- down principal (a balance-sheet change). Everything else, bank fees and OTHER included, is
-- spending. This is `domain::classification::NOT_SPENDING_CATEGORIES` as data.
insert into category (plaid_code, parent_id, name, kind)
select code, null, name, kind
from (values
    ('INCOME', null, 'Income', 'income'),
    ('LOAN_DISBURSEMENTS', null, 'Loan disbursements', 'transfer'),
    ('LOAN_PAYMENTS', null, 'Loan payments', 'transfer'),
    ('TRANSFER_IN', null, 'Transfers in', 'transfer'),
    ('TRANSFER_OUT', null, 'Transfers out', 'transfer'),
    ('BANK_FEES', null, 'Bank fees', 'spending'),
    ('ENTERTAINMENT', null, 'Entertainment', 'spending'),
    ('FOOD_AND_DRINK', null, 'Food and drink', 'spending'),
    ('GENERAL_MERCHANDISE', null, 'General merchandise', 'spending'),
    ('HOME_IMPROVEMENT', null, 'Home improvement', 'spending'),
    ('MEDICAL', null, 'Medical', 'spending'),
    ('PERSONAL_CARE', null, 'Personal care', 'spending'),
    ('GENERAL_SERVICES', null, 'General services', 'spending'),
    ('GOVERNMENT_AND_NON_PROFIT', null, 'Government and non-profit', 'spending'),
    ('TRANSPORTATION', null, 'Transportation', 'spending'),
    ('TRAVEL', null, 'Travel', 'spending'),
    ('RENT_AND_UTILITIES', null, 'Rent and utilities', 'spending'),
    ('OTHER', null, 'Other', 'spending')
) as primaries (code, parent, name, kind);

insert into category (plaid_code, parent_id, name, kind)
select code, (select category_id from category where plaid_code = parent), name, kind
from (values
    ('INCOME_CHILD_SUPPORT', 'INCOME', 'Child support', 'income'),
    ('INCOME_DIVIDENDS', 'INCOME', 'Dividends', 'income'),
    ('INCOME_GIG_ECONOMY', 'INCOME', 'Gig economy', 'income'),
    ('INCOME_INTEREST_EARNED', 'INCOME', 'Interest earned', 'income'),
    ('INCOME_LONG_TERM_DISABILITY', 'INCOME', 'Long-term disability', 'income'),
    ('INCOME_MILITARY', 'INCOME', 'Military', 'income'),
    ('INCOME_RENTAL', 'INCOME', 'Rental income', 'income'),
    ('INCOME_RETIREMENT_PENSION', 'INCOME', 'Retirement and pension', 'income'),
    ('INCOME_SALARY', 'INCOME', 'Salary', 'income'),
    ('INCOME_TAX_REFUND', 'INCOME', 'Tax refund', 'income'),
    ('INCOME_UNEMPLOYMENT', 'INCOME', 'Unemployment', 'income'),
    ('INCOME_OTHER', 'INCOME', 'Other income', 'income'),
    ('LOAN_DISBURSEMENTS_AUTO', 'LOAN_DISBURSEMENTS', 'Auto loan', 'transfer'),
    ('LOAN_DISBURSEMENTS_BNPL', 'LOAN_DISBURSEMENTS', 'Buy now, pay later', 'transfer'),
    ('LOAN_DISBURSEMENTS_CASH_ADVANCES', 'LOAN_DISBURSEMENTS', 'Cash advances', 'transfer'),
    ('LOAN_DISBURSEMENTS_EWA', 'LOAN_DISBURSEMENTS', 'Earned wage access', 'transfer'),
    ('LOAN_DISBURSEMENTS_MORTGAGE', 'LOAN_DISBURSEMENTS', 'Mortgage', 'transfer'),
    ('LOAN_DISBURSEMENTS_PERSONAL', 'LOAN_DISBURSEMENTS', 'Personal loan', 'transfer'),
    ('LOAN_DISBURSEMENTS_STUDENT', 'LOAN_DISBURSEMENTS', 'Student loan', 'transfer'),
    ('LOAN_DISBURSEMENTS_OTHER_DISBURSEMENT', 'LOAN_DISBURSEMENTS', 'Other disbursements', 'transfer'),
    ('LOAN_PAYMENTS_CAR_PAYMENT', 'LOAN_PAYMENTS', 'Car payment', 'transfer'),
    ('LOAN_PAYMENTS_CASH_ADVANCES', 'LOAN_PAYMENTS', 'Cash advance repayments', 'transfer'),
    ('LOAN_PAYMENTS_CREDIT_CARD_PAYMENT', 'LOAN_PAYMENTS', 'Credit card payment', 'transfer'),
    ('LOAN_PAYMENTS_EWA', 'LOAN_PAYMENTS', 'Earned wage access repayments', 'transfer'),
    ('LOAN_PAYMENTS_MORTGAGE_PAYMENT', 'LOAN_PAYMENTS', 'Mortgage payment', 'transfer'),
    ('LOAN_PAYMENTS_PERSONAL_LOAN_PAYMENT', 'LOAN_PAYMENTS', 'Personal loan payment', 'transfer'),
    ('LOAN_PAYMENTS_STUDENT_LOAN_PAYMENT', 'LOAN_PAYMENTS', 'Student loan payment', 'transfer'),
    ('LOAN_PAYMENTS_OTHER_PAYMENT', 'LOAN_PAYMENTS', 'Other loan payments', 'transfer'),
    ('TRANSFER_IN_ACCOUNT_TRANSFER', 'TRANSFER_IN', 'From my accounts', 'transfer'),
    ('TRANSFER_IN_DEPOSIT', 'TRANSFER_IN', 'Deposits', 'transfer'),
    ('TRANSFER_IN_INVESTMENT_AND_RETIREMENT_FUNDS', 'TRANSFER_IN', 'From investments and retirement', 'transfer'),
    ('TRANSFER_IN_SAVINGS', 'TRANSFER_IN', 'From savings', 'transfer'),
    ('TRANSFER_IN_WIRE', 'TRANSFER_IN', 'Wires in', 'transfer'),
    ('TRANSFER_IN_OTHER_TRANSFER_IN', 'TRANSFER_IN', 'Other transfers in', 'transfer'),
    ('TRANSFER_OUT_ACCOUNT_TRANSFER', 'TRANSFER_OUT', 'To my accounts', 'transfer'),
    ('TRANSFER_OUT_INVESTMENT_AND_RETIREMENT_FUNDS', 'TRANSFER_OUT', 'To investments and retirement', 'transfer'),
    ('TRANSFER_OUT_SAVINGS', 'TRANSFER_OUT', 'To savings', 'transfer'),
    ('TRANSFER_OUT_WIRE', 'TRANSFER_OUT', 'Wires out', 'transfer'),
    ('TRANSFER_OUT_WITHDRAWAL', 'TRANSFER_OUT', 'Withdrawals', 'transfer'),
    ('TRANSFER_OUT_OTHER_TRANSFER_OUT', 'TRANSFER_OUT', 'Other transfers out', 'transfer'),
    ('BANK_FEES_ATM_FEES', 'BANK_FEES', 'ATM fees', 'spending'),
    ('BANK_FEES_INSUFFICIENT_FUNDS', 'BANK_FEES', 'Insufficient funds', 'spending'),
    ('BANK_FEES_INTEREST_CHARGE', 'BANK_FEES', 'Interest charge', 'spending'),
    ('BANK_FEES_FOREIGN_TRANSACTION_FEES', 'BANK_FEES', 'Foreign transaction fees', 'spending'),
    ('BANK_FEES_OVERDRAFT_FEES', 'BANK_FEES', 'Overdraft fees', 'spending'),
    ('BANK_FEES_LATE_FEES', 'BANK_FEES', 'Late fees', 'spending'),
    ('BANK_FEES_CASH_ADVANCE', 'BANK_FEES', 'Cash advance fees', 'spending'),
    ('BANK_FEES_OTHER_BANK_FEES', 'BANK_FEES', 'Other bank fees', 'spending'),
    ('ENTERTAINMENT_CASINOS_AND_GAMBLING', 'ENTERTAINMENT', 'Casinos and gambling', 'spending'),
    ('ENTERTAINMENT_MUSIC_AND_AUDIO', 'ENTERTAINMENT', 'Music and audio', 'spending'),
    ('ENTERTAINMENT_SPORTING_EVENTS_AMUSEMENT_PARKS_AND_MUSEUMS', 'ENTERTAINMENT', 'Sporting events, amusement parks and museums', 'spending'),
    ('ENTERTAINMENT_TV_AND_MOVIES', 'ENTERTAINMENT', 'TV and movies', 'spending'),
    ('ENTERTAINMENT_VIDEO_GAMES', 'ENTERTAINMENT', 'Video games', 'spending'),
    ('ENTERTAINMENT_OTHER_ENTERTAINMENT', 'ENTERTAINMENT', 'Other entertainment', 'spending'),
    ('FOOD_AND_DRINK_BEER_WINE_AND_LIQUOR', 'FOOD_AND_DRINK', 'Beer, wine and liquor', 'spending'),
    ('FOOD_AND_DRINK_COFFEE', 'FOOD_AND_DRINK', 'Coffee', 'spending'),
    ('FOOD_AND_DRINK_FAST_FOOD', 'FOOD_AND_DRINK', 'Fast food', 'spending'),
    ('FOOD_AND_DRINK_GROCERIES', 'FOOD_AND_DRINK', 'Groceries', 'spending'),
    ('FOOD_AND_DRINK_RESTAURANT', 'FOOD_AND_DRINK', 'Restaurants', 'spending'),
    ('FOOD_AND_DRINK_VENDING_MACHINES', 'FOOD_AND_DRINK', 'Vending machines', 'spending'),
    ('FOOD_AND_DRINK_OTHER_FOOD_AND_DRINK', 'FOOD_AND_DRINK', 'Other food and drink', 'spending'),
    ('GENERAL_MERCHANDISE_BOOKSTORES_AND_NEWSSTANDS', 'GENERAL_MERCHANDISE', 'Bookstores and newsstands', 'spending'),
    ('GENERAL_MERCHANDISE_CLOTHING_AND_ACCESSORIES', 'GENERAL_MERCHANDISE', 'Clothing and accessories', 'spending'),
    ('GENERAL_MERCHANDISE_CONVENIENCE_STORES', 'GENERAL_MERCHANDISE', 'Convenience stores', 'spending'),
    ('GENERAL_MERCHANDISE_DEPARTMENT_STORES', 'GENERAL_MERCHANDISE', 'Department stores', 'spending'),
    ('GENERAL_MERCHANDISE_DISCOUNT_STORES', 'GENERAL_MERCHANDISE', 'Discount stores', 'spending'),
    ('GENERAL_MERCHANDISE_ELECTRONICS', 'GENERAL_MERCHANDISE', 'Electronics', 'spending'),
    ('GENERAL_MERCHANDISE_GIFTS_AND_NOVELTIES', 'GENERAL_MERCHANDISE', 'Gifts and novelties', 'spending'),
    ('GENERAL_MERCHANDISE_OFFICE_SUPPLIES', 'GENERAL_MERCHANDISE', 'Office supplies', 'spending'),
    ('GENERAL_MERCHANDISE_ONLINE_MARKETPLACES', 'GENERAL_MERCHANDISE', 'Online marketplaces', 'spending'),
    ('GENERAL_MERCHANDISE_PET_SUPPLIES', 'GENERAL_MERCHANDISE', 'Pet supplies', 'spending'),
    ('GENERAL_MERCHANDISE_SPORTING_GOODS', 'GENERAL_MERCHANDISE', 'Sporting goods', 'spending'),
    ('GENERAL_MERCHANDISE_SUPERSTORES', 'GENERAL_MERCHANDISE', 'Superstores', 'spending'),
    ('GENERAL_MERCHANDISE_TOBACCO_AND_VAPE', 'GENERAL_MERCHANDISE', 'Tobacco and vape', 'spending'),
    ('GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE', 'GENERAL_MERCHANDISE', 'Other general merchandise', 'spending'),
    ('HOME_IMPROVEMENT_FURNITURE', 'HOME_IMPROVEMENT', 'Furniture', 'spending'),
    ('HOME_IMPROVEMENT_HARDWARE', 'HOME_IMPROVEMENT', 'Hardware', 'spending'),
    ('HOME_IMPROVEMENT_REPAIR_AND_MAINTENANCE', 'HOME_IMPROVEMENT', 'Repair and maintenance', 'spending'),
    ('HOME_IMPROVEMENT_SECURITY', 'HOME_IMPROVEMENT', 'Security', 'spending'),
    ('HOME_IMPROVEMENT_OTHER_HOME_IMPROVEMENT', 'HOME_IMPROVEMENT', 'Other home improvement', 'spending'),
    ('MEDICAL_DENTAL_CARE', 'MEDICAL', 'Dental care', 'spending'),
    ('MEDICAL_EYE_CARE', 'MEDICAL', 'Eye care', 'spending'),
    ('MEDICAL_NURSING_CARE', 'MEDICAL', 'Nursing care', 'spending'),
    ('MEDICAL_PHARMACIES_AND_SUPPLEMENTS', 'MEDICAL', 'Pharmacies and supplements', 'spending'),
    ('MEDICAL_PRIMARY_CARE', 'MEDICAL', 'Primary care', 'spending'),
    ('MEDICAL_VETERINARY_SERVICES', 'MEDICAL', 'Veterinary services', 'spending'),
    ('MEDICAL_OTHER_MEDICAL', 'MEDICAL', 'Other medical', 'spending'),
    ('PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS', 'PERSONAL_CARE', 'Gyms and fitness centers', 'spending'),
    ('PERSONAL_CARE_HAIR_AND_BEAUTY', 'PERSONAL_CARE', 'Hair and beauty', 'spending'),
    ('PERSONAL_CARE_LAUNDRY_AND_DRY_CLEANING', 'PERSONAL_CARE', 'Laundry and dry cleaning', 'spending'),
    ('PERSONAL_CARE_OTHER_PERSONAL_CARE', 'PERSONAL_CARE', 'Other personal care', 'spending'),
    ('GENERAL_SERVICES_ACCOUNTING_AND_FINANCIAL_PLANNING', 'GENERAL_SERVICES', 'Accounting and financial planning', 'spending'),
    ('GENERAL_SERVICES_AUTOMOTIVE', 'GENERAL_SERVICES', 'Automotive', 'spending'),
    ('GENERAL_SERVICES_CHILDCARE', 'GENERAL_SERVICES', 'Childcare', 'spending'),
    ('GENERAL_SERVICES_CONSULTING_AND_LEGAL', 'GENERAL_SERVICES', 'Consulting and legal', 'spending'),
    ('GENERAL_SERVICES_EDUCATION', 'GENERAL_SERVICES', 'Education', 'spending'),
    ('GENERAL_SERVICES_INSURANCE', 'GENERAL_SERVICES', 'Insurance', 'spending'),
    ('GENERAL_SERVICES_POSTAGE_AND_SHIPPING', 'GENERAL_SERVICES', 'Postage and shipping', 'spending'),
    ('GENERAL_SERVICES_STORAGE', 'GENERAL_SERVICES', 'Storage', 'spending'),
    ('GENERAL_SERVICES_OTHER_GENERAL_SERVICES', 'GENERAL_SERVICES', 'Other general services', 'spending'),
    ('GOVERNMENT_AND_NON_PROFIT_DONATIONS', 'GOVERNMENT_AND_NON_PROFIT', 'Donations', 'spending'),
    ('GOVERNMENT_AND_NON_PROFIT_GOVERNMENT_DEPARTMENTS_AND_AGENCIES', 'GOVERNMENT_AND_NON_PROFIT', 'Government departments and agencies', 'spending'),
    ('GOVERNMENT_AND_NON_PROFIT_TAX_PAYMENT', 'GOVERNMENT_AND_NON_PROFIT', 'Taxes', 'spending'),
    ('GOVERNMENT_AND_NON_PROFIT_OTHER_GOVERNMENT_AND_NON_PROFIT', 'GOVERNMENT_AND_NON_PROFIT', 'Other government and non-profit', 'spending'),
    ('TRANSPORTATION_BIKES_AND_SCOOTERS', 'TRANSPORTATION', 'Bikes and scooters', 'spending'),
    ('TRANSPORTATION_GAS', 'TRANSPORTATION', 'Gas and fuel', 'spending'),
    ('TRANSPORTATION_PARKING', 'TRANSPORTATION', 'Parking', 'spending'),
    ('TRANSPORTATION_PUBLIC_TRANSIT', 'TRANSPORTATION', 'Public transit', 'spending'),
    ('TRANSPORTATION_TAXIS_AND_RIDE_SHARES', 'TRANSPORTATION', 'Taxis and ride shares', 'spending'),
    ('TRANSPORTATION_TOLLS', 'TRANSPORTATION', 'Tolls', 'spending'),
    ('TRANSPORTATION_OTHER_TRANSPORTATION', 'TRANSPORTATION', 'Other transportation', 'spending'),
    ('TRAVEL_FLIGHTS', 'TRAVEL', 'Flights', 'spending'),
    ('TRAVEL_LODGING', 'TRAVEL', 'Lodging', 'spending'),
    ('TRAVEL_RENTAL_CARS', 'TRAVEL', 'Rental cars', 'spending'),
    ('TRAVEL_OTHER_TRAVEL', 'TRAVEL', 'Other travel', 'spending'),
    ('RENT_AND_UTILITIES_GAS_AND_ELECTRICITY', 'RENT_AND_UTILITIES', 'Gas and electricity', 'spending'),
    ('RENT_AND_UTILITIES_INTERNET_AND_CABLE', 'RENT_AND_UTILITIES', 'Internet and cable', 'spending'),
    ('RENT_AND_UTILITIES_RENT', 'RENT_AND_UTILITIES', 'Rent', 'spending'),
    ('RENT_AND_UTILITIES_SEWAGE_AND_WASTE_MANAGEMENT', 'RENT_AND_UTILITIES', 'Sewage and waste management', 'spending'),
    ('RENT_AND_UTILITIES_TELEPHONE', 'RENT_AND_UTILITIES', 'Telephone', 'spending'),
    ('RENT_AND_UTILITIES_WATER', 'RENT_AND_UTILITIES', 'Water', 'spending'),
    ('RENT_AND_UTILITIES_OTHER_UTILITIES', 'RENT_AND_UTILITIES', 'Other utilities', 'spending'),
    ('OTHER_OTHER', 'OTHER', 'Uncategorised', 'spending')
) as detailed (code, parent, name, kind);

-- PFC v1 detailed codes that v2 renamed or moved (Plaid still sends v1 to teams enabled before
-- December 2025, and stored transactions may carry them): each means a v2 category.
create table plaid_category_alias
(
    code        text primary key,
    category_id uuid not null references category (category_id)
);
insert into plaid_category_alias (code, category_id)
select alias, (select category_id from category where plaid_code = v2)
from (values
    ('INCOME_WAGES', 'INCOME_SALARY'),
    ('INCOME_OTHER_INCOME', 'INCOME_OTHER'),
    ('TRANSFER_IN_CASH_ADVANCES_AND_LOANS', 'LOAN_DISBURSEMENTS_OTHER_DISBURSEMENT')
) as renamed (alias, v2);

-- The category Plaid's codes on a transaction mean: its detailed code (v2, or v1 through an
-- alias), else its primary (a detailed code Plaid added after this list), else Uncategorised.
create function plaid_category_id(primary_code text, detailed_code text)
    returns uuid
    language sql
    stable
as
$$
select coalesce(
               (select category_id from category where plaid_code = detailed_code),
               (select category_id from plaid_category_alias where code = detailed_code),
               (select category_id
                from category
                where plaid_code = primary_code
                  and parent_id is null),
               (select category_id from category where plaid_code = 'OTHER_OTHER'))
$$;

-- The categories one person sees, with their changes to Plaid's applied: the one place that says
-- what a category is called, whether it is hidden and what kind it is for that person. A plain
-- SQL function, so the planner inlines it into whatever joins it.
create function user_category(for_user uuid)
    returns table
            (
                category_id uuid,
                parent_id   uuid,
                user_id     uuid,
                plaid_code  text,
                name        text,
                kind        text,
                hidden      boolean,
                plaid_name  text,
                plaid_kind  text
            )
    language sql
    stable
as
$$
select c.category_id,
       c.parent_id,
       c.user_id,
       c.plaid_code,
       coalesce(o.name, c.name),
       coalesce(o.kind, c.kind),
       coalesce(o.hidden, c.hidden),
       case when c.user_id is null then c.name end,
       case when c.user_id is null then c.kind end
from category c
         left join category_override o
                   on o.category_id = c.category_id and o.user_id = for_user
where c.user_id is null
   or c.user_id = for_user
$$;
