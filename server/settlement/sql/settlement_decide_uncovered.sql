-- settlement_decide_uncovered: The decisions of the instructions their own holds do not cover, in id order against the
-- running balances (the reference model is settlement/evaluate.ts).
-- Issue 15: a hold that credit backs is no cash to pay with (credit lines; fails to pay).
-- The current text, applied by the routine step after the migrations (server/db/routines.ts).
create or replace function settlement_decide_uncovered() returns void language plpgsql as $$
declare
  r record;
  delta numeric[] := '{}';
  hold_left numeric[] := '{}';
  ids bigint[] := '{}';
  settles boolean[] := '{}';
  seller_uses numeric[] := '{}';
  buyer_uses numeric[] := '{}';
  sides text[] := '{}';
  decided int := 0;
  seller_ok boolean;
  buyer_ok boolean;
  seller_have numeric;
  buyer_have numeric;
  seller_take numeric;
  buyer_take numeric;
  -- Per account: the change of its total (cash a buyer pays, cash a seller receives) since the loop began.
  cash_delta numeric[] := '{}';
begin
  perform 1 from ledger_accounts a where a.id in (
      select a2.id from settlement_chunk c
        cross join lateral (values (c.seller_party_id, c.note_id::text), (c.buyer_party_id, c.note_id::text), (c.buyer_party_id, 'USD'), (c.seller_party_id, 'USD')) as l(party_id, asset)
        join ledger_accounts a2 on a2.party_id = l.party_id and a2.asset = l.asset)
    order by a.id for update;
  for r in
    with u as (select * from settlement_chunk c where not c.covered),
         keys as (select k.party_id, k.asset, (row_number() over (order by k.party_id, k.asset))::int as ord from (
                    select u.seller_party_id as party_id, u.note_id::text as asset from u union select u.buyer_party_id, 'USD' from u) k),
         holds as (select h.hold_id, (row_number() over (order by h.hold_id))::int as ord from (
                    select u.seller_hold_id as hold_id from u where u.seller_hold_usable union select u.buyer_hold_id from u where u.buyer_hold_usable) h),
         -- What the chunk's covered instructions (settled first) deliver and pay into those accounts.
         received as (
           select x.party_id, x.asset, sum(x.amount) as amount from (
             select c.buyer_party_id as party_id, c.note_id::text as asset, c.quantity as amount from settlement_chunk c where c.covered
             union all
             select c.seller_party_id, 'USD', c.net_amount from settlement_chunk c where c.covered) x
            group by 1, 2),
         -- What the chunk's covered instructions (settled first) pay out of buyers' cash.
         paid as (select c.buyer_party_id as party_id, sum(c.net_amount) as amount from settlement_chunk c where c.covered group by 1)
    select u.id, u.quantity, u.net_amount, ks.ord as seller_ord, kb.ord as buyer_ord, kbf.ord as buyer_asset_ord, ksc.ord as seller_cash_ord,
           coalesce(sa.total - sa.held, 0) + coalesce(rs.amount, 0) as seller_base,
           -- What the buyer may still commit (its unused credit line counts) and the cash it has.
           coalesce(ba.total - ba.held + ba.credit_limit, 0) + coalesce(rb.amount, 0) as buyer_base,
           coalesce(ba.total, 0) + coalesce(rb.amount, 0) - coalesce(pb.amount, 0) as buyer_cash,
           case when u.seller_hold_usable then hs.ord end as seller_hold_ord, u.seller_hold_remaining,
           case when u.buyer_hold_usable then hb.ord end as buyer_hold_ord, u.buyer_hold_remaining
      from u
      join keys ks on ks.party_id = u.seller_party_id and ks.asset = u.note_id::text
      join keys kb on kb.party_id = u.buyer_party_id and kb.asset = 'USD'
      left join keys kbf on kbf.party_id = u.buyer_party_id and kbf.asset = u.note_id::text
      left join keys ksc on ksc.party_id = u.seller_party_id and ksc.asset = 'USD'
      left join received rs on rs.party_id = u.seller_party_id and rs.asset = u.note_id::text
      left join received rb on rb.party_id = u.buyer_party_id and rb.asset = 'USD'
      left join paid pb on pb.party_id = u.buyer_party_id
      left join ledger_accounts sa on sa.party_id = u.seller_party_id and sa.asset = u.note_id::text
      left join ledger_accounts ba on ba.party_id = u.buyer_party_id and ba.asset = 'USD'
      left join holds hs on hs.hold_id = u.seller_hold_id
      left join holds hb on hb.hold_id = u.buyer_hold_id
     order by u.id
  loop
    seller_have := case when r.seller_hold_ord is null then 0 else coalesce(hold_left[r.seller_hold_ord], r.seller_hold_remaining) end;
    buyer_have := case when r.buyer_hold_ord is null then 0 else coalesce(hold_left[r.buyer_hold_ord], r.buyer_hold_remaining) end;
    seller_ok := true;
    if r.seller_hold_ord is not null and seller_have >= r.quantity then
      seller_take := r.quantity;
    elsif r.quantity - seller_have <= r.seller_base + coalesce(delta[r.seller_ord], 0) then
      seller_take := seller_have;
    else
      seller_ok := false;
    end if;
    buyer_ok := true;
    -- Payment is in cash: a hold that credit backs does not pay (a failure to pay).
    if r.net_amount > r.buyer_cash + coalesce(cash_delta[r.buyer_ord], 0) then
      buyer_ok := false;
    elsif r.buyer_hold_ord is not null and buyer_have >= r.net_amount then
      buyer_take := r.net_amount;
    elsif r.net_amount - buyer_have <= r.buyer_base + coalesce(delta[r.buyer_ord], 0) then
      buyer_take := buyer_have;
    else
      buyer_ok := false;
    end if;
    decided := decided + 1;
    ids[decided] := r.id;
    settles[decided] := seller_ok and buyer_ok;
    if seller_ok and buyer_ok then
      delta[r.seller_ord] := coalesce(delta[r.seller_ord], 0) - (r.quantity - seller_take);
      delta[r.buyer_ord] := coalesce(delta[r.buyer_ord], 0) - (r.net_amount - buyer_take);
      if r.buyer_asset_ord is not null then delta[r.buyer_asset_ord] := coalesce(delta[r.buyer_asset_ord], 0) + r.quantity; end if;
      if r.seller_cash_ord is not null then delta[r.seller_cash_ord] := coalesce(delta[r.seller_cash_ord], 0) + r.net_amount; end if;
      cash_delta[r.buyer_ord] := coalesce(cash_delta[r.buyer_ord], 0) - r.net_amount;
      if r.seller_cash_ord is not null then cash_delta[r.seller_cash_ord] := coalesce(cash_delta[r.seller_cash_ord], 0) + r.net_amount; end if;
      if r.seller_hold_ord is not null then hold_left[r.seller_hold_ord] := seller_have - seller_take; end if;
      if r.buyer_hold_ord is not null then hold_left[r.buyer_hold_ord] := buyer_have - buyer_take; end if;
      seller_uses[decided] := seller_take;
      buyer_uses[decided] := buyer_take;
      sides[decided] := null;
    else
      seller_uses[decided] := 0;
      buyer_uses[decided] := 0;
      sides[decided] := case when not seller_ok and not buyer_ok then 'both' when not seller_ok then 'seller' else 'buyer' end;
    end if;
  end loop;
  update settlement_chunk c set settle = v.settle, seller_use = v.seller_use, buyer_use = v.buyer_use, failed_side = v.side
    from unnest(ids, settles, seller_uses, buyer_uses, sides) as v(id, settle, seller_use, buyer_use, side)
   where c.id = v.id;
end $$;
