/**
 * Look-through risk (issue 18):
 * - obligors: companies a deal depends on, with their parent (the ultimate obligor is found by
 *   following parent_id to the top), rating and sector. `name` is unique and is what a performance
 *   report's tenant `obligorName` matches.
 * - obligor_relationships: typed edges from a company to a deal or to another company (tenant of,
 *   sponsor of, GPU vendor to, equity investor in, lender to, customer of), each with its source
 *   and as-of date; a tenancy carries its leased MW and monthly rent.
 * - risk_limits: a party's concentration limits, one per dimension.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('obligors', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.text('name').notNullable().unique();
    t.uuid('parent_id').nullable().references('obligors.id');
    t.text('rating').notNullable().defaultTo('NR');
    t.text('sector').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('parent_id is null or parent_id <> id', [], 'obligors_not_own_parent');
  });
  await knex.schema.createTable('obligor_relationships', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.uuid('obligor_id').notNullable().references('obligors.id');
    t.text('type').notNullable();
    t.uuid('deal_id').nullable().references('deals.id');
    t.uuid('counterparty_id').nullable().references('obligors.id');
    t.decimal('leased_mw', null).nullable();
    t.decimal('monthly_rent', null).nullable();
    t.text('source').notNullable();
    t.date('as_of').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['obligor_id']);
    t.index(['deal_id']);
    t.index(['counterparty_id']);
    t.check(
      `type in ('tenant_of','sponsor_of','gpu_vendor_to','equity_investor_in','lender_to','customer_of')`,
      [],
      'obligor_relationships_type_check',
    );
    // Exactly one target: a deal or another company.
    t.check('(deal_id is null) <> (counterparty_id is null)', [], 'obligor_relationships_one_target');
    t.check('counterparty_id is null or counterparty_id <> obligor_id', [], 'obligor_relationships_not_self');
    t.check('leased_mw is null or leased_mw >= 0', [], 'obligor_relationships_mw_check');
    t.check('monthly_rent is null or monthly_rent >= 0', [], 'obligor_relationships_rent_check');
  });
  await knex.schema.createTable('risk_limits', (t) => {
    t.uuid('party_id').notNullable().references('parties.id');
    t.text('dimension').notNullable();
    t.decimal('max_share_percent', null).notNullable();
    t.text('mode').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['party_id', 'dimension']);
    t.check(`dimension in ('obligor','sponsor','vendor','gpuModel','region')`, [], 'risk_limits_dimension_check');
    t.check(`mode in ('warn','hard')`, [], 'risk_limits_mode_check');
    t.check('max_share_percent > 0 and max_share_percent <= 100', [], 'risk_limits_share_check');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('risk_limits');
  await knex.schema.dropTableIfExists('obligor_relationships');
  await knex.schema.dropTableIfExists('obligors');
}
