"""Every simulator answer through Plaid's official Python SDK, which refuses an answer that lacks
a field Plaid's schema requires or has one of the wrong type (or null where Plaid never sends
null). Run by `simulator_fidelity::plaids_python_sdk_accepts_every_answer`:

    python check.py <simulator URL> <webhook URL>

Exits non-zero, naming each refused answer, when any is refused."""

import sys
import time

import plaid
from plaid.api import plaid_api
from plaid.model.accounts_balance_get_request import AccountsBalanceGetRequest
from plaid.model.accounts_get_request import AccountsGetRequest
from plaid.model.country_code import CountryCode
from plaid.model.institutions_get_by_id_request import InstitutionsGetByIdRequest
from plaid.model.institutions_get_by_id_request_options import InstitutionsGetByIdRequestOptions
from plaid.model.institutions_search_request import InstitutionsSearchRequest
from plaid.model.item_get_request import ItemGetRequest
from plaid.model.item_public_token_exchange_request import ItemPublicTokenExchangeRequest
from plaid.model.item_remove_request import ItemRemoveRequest
from plaid.model.item_webhook_update_request import ItemWebhookUpdateRequest
from plaid.model.link_token_create_request import LinkTokenCreateRequest
from plaid.model.link_token_create_request_update import LinkTokenCreateRequestUpdate
from plaid.model.link_token_create_request_user import LinkTokenCreateRequestUser
from plaid.model.products import Products
from plaid.model.sandbox_item_fire_webhook_request import SandboxItemFireWebhookRequest
from plaid.model.sandbox_item_reset_login_request import SandboxItemResetLoginRequest
from plaid.model.sandbox_public_token_create_request import SandboxPublicTokenCreateRequest
from plaid.model.sandbox_public_token_create_request_options import (
    SandboxPublicTokenCreateRequestOptions,
)
from plaid.model.transactions_recurring_get_request import TransactionsRecurringGetRequest
from plaid.model.transactions_refresh_request import TransactionsRefreshRequest
from plaid.model.transactions_sync_request import TransactionsSyncRequest

simulator_url, webhook_url = sys.argv[1], sys.argv[2]
configuration = plaid.Configuration(
    host=simulator_url, api_key={"clientId": "test", "secret": "test"}
)
client = plaid_api.PlaidApi(plaid.ApiClient(configuration))
refused = []


def call(what, request):
    try:
        answer = request()
        print("accepted", what)
        return answer
    except Exception as error:  # the SDK's type and value errors, and HTTP errors
        refused.append(what)
        print("REFUSED ", what, type(error).__name__, str(error)[:800])
        return None


US = [CountryCode("US")]
USER = LinkTokenCreateRequestUser(client_user_id="sdk-check")

call("/link/token/create", lambda: client.link_token_create(LinkTokenCreateRequest(
    client_name="Tally", language="en", country_codes=US, user=USER,
    products=[Products("transactions")], webhook=webhook_url)))
for institution_id, countries in [("ins_109508", US), ("ins_127287", US),
                                  ("ins_117650", [CountryCode("GB")])]:
    for metadata in [False, True]:
        call(f"/institutions/get_by_id {institution_id} metadata={metadata}",
             lambda: client.institutions_get_by_id(InstitutionsGetByIdRequest(
                 institution_id=institution_id, country_codes=countries,
                 options=InstitutionsGetByIdRequestOptions(
                     include_optional_metadata=metadata))))
call("/institutions/search", lambda: client.institutions_search(InstitutionsSearchRequest(
    query="Platypus", country_codes=US)))

public = call("/sandbox/public_token/create", lambda: client.sandbox_public_token_create(
    SandboxPublicTokenCreateRequest(
        institution_id="ins_109508", initial_products=[Products("transactions")],
        options=SandboxPublicTokenCreateRequestOptions(
            webhook=webhook_url, override_username="user_transactions_dynamic",
            override_password="pass_good"))))
exchanged = call("/item/public_token/exchange", lambda: client.item_public_token_exchange(
    ItemPublicTokenExchangeRequest(public_token=public.public_token)))
token = exchanged.access_token

call("/item/get (no webhook yet)", lambda: client.item_get(ItemGetRequest(access_token=token)))
call("/accounts/get", lambda: client.accounts_get(AccountsGetRequest(access_token=token)))
call("/accounts/balance/get", lambda: client.accounts_balance_get(
    AccountsBalanceGetRequest(access_token=token)))
cursor, more, pages = "", True, 0
while more and pages < 20:
    page = call("/transactions/sync", lambda: client.transactions_sync(
        TransactionsSyncRequest(access_token=token, cursor=cursor, count=500)))
    if page is None:
        break
    cursor, more, pages = page.next_cursor, page.has_more, pages + 1
call("/transactions/recurring/get", lambda: client.transactions_recurring_get(
    TransactionsRecurringGetRequest(access_token=token)))
call("/transactions/refresh", lambda: client.transactions_refresh(
    TransactionsRefreshRequest(access_token=token)))
call("/transactions/sync (after a refresh)", lambda: client.transactions_sync(
    TransactionsSyncRequest(access_token=token, cursor=cursor, count=500)))
call("/link/token/create (update mode, account selection)",
     lambda: client.link_token_create(LinkTokenCreateRequest(
         client_name="Tally", language="en", country_codes=US, user=USER,
         access_token=token, webhook=webhook_url,
         update=LinkTokenCreateRequestUpdate(account_selection_enabled=True))))
call("/item/webhook/update", lambda: client.item_webhook_update(
    ItemWebhookUpdateRequest(access_token=token, webhook=webhook_url)))
call("/sandbox/item/fire_webhook", lambda: client.sandbox_item_fire_webhook(
    SandboxItemFireWebhookRequest(access_token=token, webhook_code="SYNC_UPDATES_AVAILABLE")))
# The simulator notes a delivery once the receiver has answered.
for _ in range(100):
    got = client.item_get(ItemGetRequest(access_token=token), _check_return_type=False)
    if got["status"]["last_webhook"] is not None:
        break
    time.sleep(0.05)
call("/item/get (after a webhook)", lambda: client.item_get(ItemGetRequest(access_token=token)))
call("/sandbox/item/reset_login", lambda: client.sandbox_item_reset_login(
    SandboxItemResetLoginRequest(access_token=token)))
call("/item/get (login required)", lambda: client.item_get(ItemGetRequest(access_token=token)))
try:
    client.accounts_get(AccountsGetRequest(access_token=token))
    refused.append("/accounts/get (login required) answered 200")
except plaid.ApiException as error:
    print("accepted", "/accounts/get (login required): an error", error.status)
call("/item/remove", lambda: client.item_remove(ItemRemoveRequest(access_token=token)))

print(f"{len(refused)} refused")
sys.exit(1 if refused else 0)
