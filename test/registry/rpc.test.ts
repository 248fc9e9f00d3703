/**
 * The registry against a chain over JSON-RPC (RPC_URL mode: ganache.server() behind a proxy the
 * test can cut, keys from the environment's shape): the chain unavailable during settlement
 * (settlement completes, the outbox stays pending and retries with backoff, reconciliation shows
 * it), then back (the outbox drains, reconciliation is clean); a restart of the service keeps the
 * recorded deployment and re-publishes nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ganache from 'ganache';
import type { RegistryConfig } from '../../server/registry/types.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import {
  FAST,
  breaks,
  chainBalance,
  chainOf,
  drained,
  eventually,
  instructionOf,
  ledgerFace,
  notesByClass,
  outbox,
  rollAndSettle,
  startVenue,
  trade,
  type Venue,
} from './harness.js';

/** Forwards JSON-RPC to the chain; while `down`, drops every connection, like a node that went away. */
class Proxy {
  down = false;
  private readonly server: http.Server;
  constructor(private readonly target: string) {
    this.server = http.createServer((request, response) => {
      if (this.down) {
        request.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        fetch(this.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
          .then(async (upstream) =>
            response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(Buffer.from(await upstream.arrayBuffer())),
          )
          .catch(() => request.socket.destroy());
      });
    });
  }
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The part of ganache's server we use (its generic option types do not resolve under our compiler settings). */
interface ChainServer {
  listen(port: number, host: string): Promise<void>;
  address(): AddressInfo;
  close(): Promise<void>;
  provider: { getInitialAccounts(): Record<string, { secretKey: string }> };
}
const startChainServer = ganache.server as unknown as (options: object) => ChainServer;

let chainServer: ChainServer;
let proxy: Proxy;
let database: TestDatabase;
let venue: Venue;
let config: RegistryConfig;
let notes: Record<string, string>;

beforeAll(async () => {
  chainServer = startChainServer({
    logging: { quiet: true },
    chain: { hardfork: 'shanghai' },
    wallet: { deterministic: true, totalAccounts: 2 },
  });
  await chainServer.listen(0, '127.0.0.1');
  const chainUrl = `http://127.0.0.1:${chainServer.address().port}`;
  const [backOfficeKey, registrarKey] = Object.values(chainServer.provider.getInitialAccounts()).map((account) => account.secretKey);
  proxy = new Proxy(chainUrl);
  const rpcUrl = await proxy.listen();
  config = { mode: 'rpc', rpcUrl, registrarKey: registrarKey!, backOfficeKey: backOfficeKey!, contractAddress: null, tuning: FAST };
  database = await createTestDatabase();
  venue = await startVenue(database, config);
  notes = await notesByClass(venue);
  await drained(venue);
});
afterAll(async () => {
  await venue?.close();
  await database?.close();
  await proxy?.close();
  await chainServer?.close();
});

describe('RPC_URL mode', () => {
  it('deploys with the configured keys and publishes the opening positions', async () => {
    const status = (await venue.http.get('/api/v1/registry/status').set(await venue.auth('backoffice1'))).body;
    expect(status).toMatchObject({ mode: 'rpc', connected: true, chainId: '1337', outbox: { pending: 0, failedPermanently: 0 } });
    expect(await chainBalance(venue, 'dealer1', notes['B']!)).toBe(await ledgerFace(venue, 'dealer1', notes['B']!));
    expect(await breaks(venue)).toEqual([]);
  });

  it('settles while the chain is unavailable; the outbox retries with backoff, reconciliation shows it pending, then drains clean', async () => {
    const tradeId = await trade(venue, 'investor2', 'dealer2', notes['B']!, '500000');
    proxy.down = true;
    expect(await rollAndSettle(venue)).toMatchObject({ settled: 1, failed: 0 });
    expect(await ledgerFace(venue, 'investor2', notes['B']!)).toBe(3_500_000n);
    const instruction = await instructionOf(venue, tradeId);
    expect(instruction).toMatchObject({ status: 'settled', registry: { status: 'pending' } });
    const row = await eventually('a few failed attempts', async () => {
      const found = (await outbox(venue)).find((r) => r.settlementRef === `settle:${instruction.id}`);
      return found && found.attempts >= 3 ? found : null;
    });
    expect(row.lastError).toBeTruthy();
    const whileDown = await breaks(venue);
    expect(whileDown.map((b) => b.kind).sort()).toEqual(['registry_pending', 'registry_unreachable']);
    expect(whileDown.find((b) => b.kind === 'registry_pending')).toMatchObject({
      entity: `outbox:${row.id}`,
      actual: 'pending',
      difference: '500000',
    });

    proxy.down = false;
    await drained(venue);
    expect((await instructionOf(venue, tradeId)).registry).toMatchObject({ status: 'published' });
    expect(await chainBalance(venue, 'investor2', notes['B']!)).toBe(3_500_000n);
    expect(await breaks(venue)).toEqual([]);
  });

  it('after a restart of the service, keeps the recorded deployment and re-publishes nothing', async () => {
    const address = chainOf(venue).address;
    const before = await outbox(venue);
    await venue.close();
    venue = await startVenue(database, config);
    await venue.service.registry!.ready;
    expect(chainOf(venue)).toMatchObject({ address, fresh: false });
    expect(await outbox(venue)).toEqual(before);
    expect(await breaks(venue)).toEqual([]);
  });
});
