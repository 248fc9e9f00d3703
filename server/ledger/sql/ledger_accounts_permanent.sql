-- ledger_accounts_permanent: Refuses DELETE and TRUNCATE of ledger accounts: an account, once used, is permanent.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function ledger_accounts_permanent()
returns trigger language plpgsql
as $$
   begin
     raise exception 'ledger accounts are never deleted' using errcode = '55000';
   end $$;
