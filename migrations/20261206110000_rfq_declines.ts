/**
 * Issue 19: a dealer may decline an RFQ with a reason. A decline is the dealer's last word on the
 * RFQ, kept as a row of rfq_responses with status 'declined', no price and the reason (so the
 * same visibility rules apply: the investor sees every dealer's, a dealer only its own), and ends
 * as the outcome 'declined' in rfq_outcomes (rfq-statistics counts it).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table rfq_responses alter column price drop not null');
  await knex.raw('alter table rfq_responses add column reason text null');
  await knex.raw('alter table rfq_responses drop constraint rfq_responses_status_check');
  await knex.raw(
    `alter table rfq_responses add constraint rfq_responses_status_check check (status in ('open','replaced','accepted','not_chosen','expired','declined'))`,
  );
  await knex.raw(
    `alter table rfq_responses add constraint rfq_responses_declined_check check ((status = 'declined') = (price is null) and (reason is null or status = 'declined'))`,
  );
  await knex.raw('alter table rfq_outcomes drop constraint rfq_outcomes_outcome_check');
  await knex.raw(
    `alter table rfq_outcomes add constraint rfq_outcomes_outcome_check check (outcome in ('done','covered','not_chosen','expired','no_response','declined'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table rfq_outcomes drop constraint rfq_outcomes_outcome_check');
  await knex.raw(
    `alter table rfq_outcomes add constraint rfq_outcomes_outcome_check check (outcome in ('done','covered','not_chosen','expired','no_response'))`,
  );
  await knex.raw('alter table rfq_responses drop constraint rfq_responses_declined_check');
  await knex.raw('alter table rfq_responses drop constraint rfq_responses_status_check');
  await knex.raw(
    `alter table rfq_responses add constraint rfq_responses_status_check check (status in ('open','replaced','accepted','not_chosen','expired'))`,
  );
  await knex.raw('alter table rfq_responses drop column reason');
  await knex.raw('alter table rfq_responses alter column price set not null');
}
