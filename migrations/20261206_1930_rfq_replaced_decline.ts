/**
 * A dealer may take back its decline with a new answer (rfq/store.ts insertResponse marks the
 * decline 'replaced'). The decline rule of 20261206110000_rfq_declines said that only a declined
 * row has no price and a reason, so replacing a decline broke it and the answer failed with a 500
 * (found by the fuzz suite). A replaced row keeps what it was: an answer (a price, no reason) or a
 * decline (no price, perhaps a reason); every other status still pairs as before.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table rfq_responses drop constraint rfq_responses_declined_check');
  await knex.raw(
    `alter table rfq_responses add constraint rfq_responses_declined_check check (
       case status
         when 'declined' then price is null
         when 'replaced' then price is not null and reason is null or price is null
         else price is not null and reason is null
       end)`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table rfq_responses drop constraint rfq_responses_declined_check');
  await knex.raw(
    `alter table rfq_responses add constraint rfq_responses_declined_check check ((status = 'declined') = (price is null) and (reason is null or status = 'declined'))`,
  );
}
