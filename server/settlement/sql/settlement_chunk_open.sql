-- settlement_chunk_open: Opens (or empties) the session's temporary tables of a settlement chunk.
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function settlement_chunk_open()
returns void language plpgsql
as $$
begin
  if to_regclass('pg_temp.settlement_chunk') is null then
    create temp table settlement_chunk (
      id bigint not null,
      trade_id text not null,
      note_id uuid not null,
      buyer_party_id uuid not null,
      seller_party_id uuid not null,
      quantity numeric not null,
      net_amount numeric not null,
      buyer_hold_reference text,
      seller_hold_reference text,
      settlement_date date not null,
      status text not null,
      seller_hold_id bigint,
      seller_hold_remaining numeric,
      seller_hold_usable boolean not null,
      buyer_hold_id bigint,
      buyer_hold_remaining numeric,
      buyer_hold_usable boolean not null,
      covered boolean not null,
      settle boolean not null,
      seller_use numeric not null,
      buyer_use numeric not null,
      failed_side text
    ) on commit delete rows;
  else
    delete from settlement_chunk;
  end if;
end $$;
