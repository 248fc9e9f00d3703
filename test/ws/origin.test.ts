/**
 * Which browser pages may open /ws (issue 14, item 8). The Origin of the upgrade is compared with
 * the service's own origins from configuration — PUBLIC_ORIGIN, or by default loopback on the
 * listening port — and WS_ALLOWED_ORIGINS, never with the request's Host header: a DNS-rebinding
 * page (evil.example resolving to this service) sends `Origin: http://evil.example` and
 * `Host: evil.example`, which used to match.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { Probe, startWsService, type WsTestService } from './support.js';

describe('by default (no PUBLIC_ORIGIN)', () => {
  let t: WsTestService;
  let port: string;
  beforeAll(async () => {
    t = await startWsService();
    port = new URL(t.url).port;
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a DNS-rebinding page whose Host header names its own origin', async () => {
    await expect(Probe.open(t.wsUrl, { origin: 'http://evil.example', headers: { host: 'evil.example' } })).rejects.toMatchObject({
      status: 403,
    });
    await expect(
      Probe.open(t.wsUrl, { origin: `http://evil.example:${port}`, headers: { host: `evil.example:${port}` } }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      Probe.open(t.wsUrl, { origin: `https://evil.example:${port}`, headers: { host: `evil.example:${port}` } }),
    ).rejects.toMatchObject({ status: 403 });
    // Loopback on another port is another origin too.
    await expect(Probe.open(t.wsUrl, { origin: 'http://localhost:1' })).rejects.toMatchObject({ status: 403 });
    await expect(Probe.open(t.wsUrl, { origin: 'null' })).rejects.toMatchObject({ status: 403 });
  });

  it('accepts the web app on loopback at the listening port (as npm start and the browser tests serve it), and clients without an Origin', async () => {
    for (const origin of [t.url, `http://localhost:${port}`, `http://LOCALHOST:${port}/`, `http://[::1]:${port}`]) {
      const probe = await Probe.open(t.wsUrl, { origin });
      expect(await probe.request({ op: 'ping', id: 1 })).toEqual({ op: 'pong', id: 1 });
      probe.close();
    }
    const native = await Probe.open(t.wsUrl);
    native.close();
  });
});

describe('with PUBLIC_ORIGIN and WS_ALLOWED_ORIGINS', () => {
  let t: WsTestService;
  beforeAll(async () => {
    t = await startWsService({
      config: { publicOrigins: ['https://exchange.example.com'], wsAllowedOrigins: ['https://desk.partner.example'] },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts exactly the configured origins, whatever the Host header says', async () => {
    for (const origin of ['https://exchange.example.com', 'https://EXCHANGE.example.com:443', 'https://desk.partner.example']) {
      const probe = await Probe.open(t.wsUrl, { origin, headers: { host: 'exchange.example.com' } });
      probe.close();
    }
    await expect(
      Probe.open(t.wsUrl, { origin: 'http://exchange.example.com', headers: { host: 'exchange.example.com' } }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(Probe.open(t.wsUrl, { origin: 'https://evil.example', headers: { host: 'evil.example' } })).rejects.toMatchObject({
      status: 403,
    });
    // Behind a public origin, loopback pages are not the service's own.
    await expect(Probe.open(t.wsUrl, { origin: t.url })).rejects.toMatchObject({ status: 403 });
  });
});

describe('the configuration', () => {
  it('reads PUBLIC_ORIGIN as a list of origins and refuses anything else', () => {
    expect(loadConfig({ PUBLIC_ORIGIN: 'https://exchange.example.com, http://localhost:3000' }).publicOrigins).toEqual([
      'https://exchange.example.com',
      'http://localhost:3000',
    ]);
    expect(loadConfig({}).publicOrigins).toEqual([]);
    for (const bad of [
      'exchange.example.com',
      'https://exchange.example.com/app',
      'ftp://exchange.example.com',
      '*',
      'https://exchange.example.com?x=1',
    ]) {
      expect(() => loadConfig({ PUBLIC_ORIGIN: bad }), bad).toThrow(ConfigError);
    }
    expect(loadConfig({ WS_ALLOWED_ORIGINS: '*' }).wsAllowedOrigins).toEqual(['*']);
    expect(() => loadConfig({ WS_ALLOWED_ORIGINS: 'partner.example' })).toThrow(ConfigError);
  });
});
