/**
 * The on-chain registry for the back office: its status (mode, contract, outbox counts), the
 * outbox rows with their on-chain state, parties' holder addresses, forced transfers that repair
 * a break and recoveries of a lost address (each queued in the outbox with its reason code, sent
 * with the back-office key). A settlement's and a trade's on-chain state are on the settlements
 * and executions themselves (`registry`, see registryStateSchema).
 */
import { actorOf } from '../../audit/index.js';
import { z } from 'zod';
import { defineRoute, requirePrincipal } from '../route.js';
import { ApiError } from '../errors.js';
import { idParams, limitParam, uuid } from '../schemas.js';
import { listPartyAddresses, setPartyAddress } from '../../registry/addresses.js';
import { recordForcedTransfer } from '../../registry/outbox.js';
import { getOutboxRow, listOutbox, registryStatus, type OutboxView } from '../../registry/queries.js';
import { recoverAddress } from '../../registry/recovery.js';
import { OUTBOX_KINDS, OUTBOX_STATUSES, REPAIR_REASONS } from '../../registry/types.js';

const outboxRowSchema = z.object({
  id: z.string(),
  settlementRef: z.string(),
  chainRef: z.string(),
  kind: z.enum(OUTBOX_KINDS),
  noteId: z.string().nullable(),
  fromPartyId: z.string().nullable(),
  toPartyId: z.string().nullable(),
  fromAddress: z.string().nullable(),
  toAddress: z.string().nullable(),
  amount: z.string().nullable(),
  status: z.enum(OUTBOX_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  txHash: z.string().nullable(),
  blockNumber: z.number().nullable(),
  reasonCode: z.string().nullable(),
  reason: z.string().nullable(),
  resolvesOutboxId: z.string().nullable(),
  noteIds: z.array(z.string()).nullable(),
  createdAt: z.string(),
  publishedAt: z.string().nullable(),
});

/**
 * A settlement's or trade's on-chain state: its transfer's outbox row (null until it settles).
 * Present on GET /settlements and GET /executions items once the registry has been on.
 */
export const registryStateSchema = z
  .object({
    status: z.enum(OUTBOX_STATUSES),
    txHash: z.string().nullable(),
    blockNumber: z.number().nullable(),
    lastError: z.string().nullable(),
  })
  .nullable()
  .optional();

const hexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address');

const statusSchema = z.object({
  mode: z.enum(['off', 'embedded', 'rpc']),
  recordedMode: z.string(),
  outboxEnabled: z.boolean(),
  connected: z.boolean(),
  lastError: z.string().nullable(),
  chainId: z.string().nullable(),
  contractAddress: z.string().nullable(),
  deployBlock: z.number().nullable(),
  outbox: z.object({
    pending: z.number(),
    published: z.number(),
    failedPermanently: z.number(),
    superseded: z.number(),
    oldestPendingAt: z.string().nullable(),
  }),
});

const addressSchema = z.object({ partyId: z.string(), address: z.string(), source: z.enum(['generated', 'configured']) });

export const registryRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/registry/status',
    summary: 'The on-chain registry: mode, chain, contract address, outbox counts (pending, published, failed)',
    tag: 'registry',
    access: ['backoffice'],
    response: statusSchema,
    handler: async ({ services }) => ({ body: await registryStatus(services.knex) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/registry/outbox',
    summary: 'Outbox rows in publication order, with their on-chain state and transaction hash',
    tag: 'registry',
    access: ['backoffice'],
    query: z
      .object({
        status: z.enum(OUTBOX_STATUSES).optional(),
        kind: z.enum(OUTBOX_KINDS).optional(),
        afterId: z
          .string()
          .regex(/^\d{1,18}$/)
          .optional(),
        order: z.enum(['asc', 'desc']).default('asc'),
        limit: limitParam(200, 5000),
      })
      .strict(),
    response: z.array(outboxRowSchema),
    handler: async ({ query, services }) => ({
      body: await listOutbox(services.knex, {
        limit: query.limit,
        order: query.order,
        ...(query.status ? { status: query.status } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.afterId ? { afterId: query.afterId } : {}),
      }),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/registry/forced-transfers',
    summary:
      'Repair a break: move notes on chain between two parties with a reason (back-office key), optionally resolving a failed outbox row',
    tag: 'registry',
    access: ['backoffice'],
    idempotent: true,
    successStatus: 201,
    body: z
      .object({
        noteId: uuid,
        fromPartyId: z.string().min(1).max(100),
        toPartyId: z.string().min(1).max(100),
        amount: z.string().regex(/^[1-9][0-9]{0,29}$/, 'must be a positive whole number of face units'),
        reasonCode: z.enum(REPAIR_REASONS),
        reason: z.string().trim().min(1).max(500).optional(),
        resolvesOutboxId: z.string().min(1).max(20).optional(),
      })
      .strict(),
    response: outboxRowSchema,
    handler: async ({ body, principal, services }) => {
      const id = await recordForcedTransfer(
        services.knex,
        {
          noteId: body.noteId,
          fromPartyId: body.fromPartyId,
          toPartyId: body.toPartyId,
          amount: body.amount,
          reasonCode: body.reasonCode,
          reason: body.reason ?? null,
          resolvesOutboxId: body.resolvesOutboxId ?? null,
        },
        requirePrincipal(principal).userId,
        actorOf(requirePrincipal(principal)),
      );
      const row = await getOutboxRow(services.knex, id);
      if (!row) throw new ApiError('REGISTRY_ROW_NOT_FOUND', `outbox row ${id} vanished`, { outboxId: id });
      return { status: 201, body: row };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/registry/addresses',
    summary: "Parties' holder addresses on chain (generated, or configured by the back office)",
    tag: 'registry',
    access: ['backoffice'],
    response: z.array(addressSchema),
    handler: async ({ services }) => ({ body: await listPartyAddresses(services.knex) }),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/registry/parties/:id/address',
    summary: "Set a party's holder address on chain (before its first movement there); it is allow-listed through the outbox",
    tag: 'registry',
    access: ['backoffice'],
    params: idParams,
    body: z.object({ address: hexAddress }).strict(),
    response: addressSchema,
    handler: async ({ params, body, principal, services }) => ({
      body: await setPartyAddress(services.knex, params.id, body.address, actorOf(requirePrincipal(principal))),
    }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/registry/parties/:id/recover',
    summary:
      "Recover a lost or compromised holder address: the party's notes move on chain to its new address, with a reason (back-office key)",
    tag: 'registry',
    access: ['backoffice'],
    params: idParams,
    idempotent: true,
    successStatus: 201,
    body: z
      .object({ newAddress: hexAddress, reasonCode: z.enum(REPAIR_REASONS), reason: z.string().trim().min(1).max(500).optional() })
      .strict(),
    response: z.object({ partyId: z.string(), address: z.string(), previousAddress: z.string(), outbox: z.array(outboxRowSchema) }),
    handler: async ({ params, body, principal, services }) => {
      const recovery = await recoverAddress(
        services.knex,
        {
          partyId: params.id,
          newAddress: body.newAddress,
          reasonCode: body.reasonCode,
          reason: body.reason ?? null,
        },
        requirePrincipal(principal).userId,
        actorOf(requirePrincipal(principal)),
      );
      const outbox: OutboxView[] = [];
      for (const id of recovery.outboxIds) {
        const row = await getOutboxRow(services.knex, id);
        if (!row) throw new ApiError('REGISTRY_ROW_NOT_FOUND', `outbox row ${id} vanished`, { outboxId: id });
        outbox.push(row);
      }
      return {
        status: 201,
        body: { partyId: recovery.partyId, address: recovery.address, previousAddress: recovery.previousAddress, outbox },
      };
    },
  }),
];
