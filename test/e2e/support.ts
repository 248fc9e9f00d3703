/**
 * Harness of the browser tests: the real service on a fresh database (startTestService) serving
 * the built web app, Debian's Chromium driven headless through playwright-core, one browser
 * context per user (separate sessions), screenshots under test/artifacts/e2e/ (each screen shot is
 * also checked with axe-core: no serious or critical accessibility finding), and a switch that
 * cuts the service's WebSocket connections to test reconnection.
 *
 * A missing Chromium fails the suite with instructions: browser tests never skip silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { ensureWebBuild } from '../../client/web/build.js';
import { ComputeNotesClient } from '../../client/sdk/index.js';
import type { RegistryConfig } from '../../server/registry/types.js';
import type { Clock } from '../../server/api/services.js';
import { DEMO_PASSWORD, startTestService, type TestService } from '../support/service.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const ARTIFACTS = path.resolve('test/artifacts/e2e');

export interface E2E {
  t: TestService;
  browser: Browser;
  /** A page of the app, not logged in, in its own browser context. */
  open(): Promise<Page>;
  /** A logged-in page of a demo user in its own browser context. */
  login(username: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** An SDK client logged in as a demo user. */
  sdk(username: string): Promise<ComputeNotesClient>;
  /**
   * Saves a screenshot of the page and runs the accessibility check on it (expectAccessible): every
   * screen a browser test shows is checked, new ones included.
   */
  shot(page: Page, name: string): Promise<void>;
  /** Cuts every open WebSocket and refuses new ones for `ms`. */
  cutWebSockets(ms: number): void;
  close(): Promise<void>;
}

/** `registry`: the service's on-chain registry (off unless asked, as in startTestService); `clock`: the service's clock. */
export async function startE2E(options: { registry?: RegistryConfig; clock?: Clock } = {}): Promise<E2E> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is required for the browser tests and was not found at ${CHROMIUM_PATH}: apt-get install -y chromium (or set CHROMIUM_PATH)`,
    );
  }
  await ensureWebBuild();
  const t = await startTestService({
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const sockets = new Set<Socket>();
  let refuseUntil = 0;
  t.service.server.on('upgrade', (_request, socket: Socket) => {
    if (Date.now() < refuseUntil) {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS });
  const contexts: BrowserContext[] = [];
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  const open = async (label = 'anonymous', viewport = { width: 1600, height: 1000 }) => {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => process.stderr.write(`[${label} page error] ${error.message}\n`));
    await page.goto(t.url);
    return page;
  };
  const login = async (username: string, viewport = { width: 1600, height: 1000 }) => {
    const page = await open(username, viewport);
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill(DEMO_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('link-status').filter({ hasText: 'Live' }).waitFor();
    return page;
  };
  return {
    t,
    browser,
    open: () => open(),
    login,
    sdk: async (username) => {
      const client = new ComputeNotesClient({ baseUrl: t.url });
      await client.login(username, DEMO_PASSWORD);
      return client;
    },
    shot: async (page, name) => {
      await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
      await expectAccessible(page, name);
    },
    cutWebSockets: (ms) => {
      refuseUntil = Date.now() + ms;
      for (const socket of sockets) socket.destroy();
    },
    close: async () => {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await t.close();
    },
  };
}

/** The id of a demo note by class name (A-2, B, C, Senior). */
export async function noteIds(client: ComputeNotesClient): Promise<Record<string, string>> {
  return Object.fromEntries((await client.notes()).map((n) => [n.className, n.id]));
}

/** One accessibility finding as the tests report it: the rule, its impact and where it is. */
export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG 2.x A/AA rules (and its best practices) on the page as it is now; the serious and
 * critical findings, each with the elements it names.
 */
export async function accessibilityFindings(page: Page): Promise<AxeFinding[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      rule: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.slice(0, 8).map((n) => n.target.join(' ')),
    }));
}

/** Fails with every serious or critical axe finding on the screen, named, so the message says what to fix. */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const findings = await accessibilityFindings(page);
  if (findings.length > 0) {
    const lines = findings.map((f) => `  ${f.impact} ${f.rule}: ${f.help}\n    ${f.targets.join('\n    ')}`);
    throw new Error(`${screen}: ${findings.length} serious or critical accessibility finding(s)\n${lines.join('\n')}`);
  }
}

/** Shows a tab of a tabbed page (the back office) by its id, as a user clicks it. */
export async function showTab(page: Page, id: string): Promise<void> {
  await page.getByTestId(`tab-${id}`).click();
  await page.getByTestId(`tabpanel-${id}`).waitFor();
}
