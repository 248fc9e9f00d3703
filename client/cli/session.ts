/**
 * Who `cn` talks to and as whom. The server: --url, else CN_URL, else the saved session's, else
 * http://localhost:3000. The user: --token / CN_TOKEN; else --user/--password or CN_USER (or
 * CN_USERNAME) and CN_PASSWORD, logging in for this command; else the session `cn login` saved
 * (a token, never the password) in $CN_CONFIG_DIR, $XDG_CONFIG_HOME/cn or ~/.config/cn, readable
 * by its owner only. Also resolves what people type for notes and deals (ISIN, class, name, id).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ComputeNotesClient, type Deal, type LoginResult, type Note } from '../sdk/index.js';
import { flag, UsageError, type Args } from './args.js';
import type { CliIo } from './io.js';

export const DEFAULT_URL = 'http://localhost:3000';

/** Not logged in, or the saved session expired: exit code 3 like any authentication failure. */
export class AuthError extends Error {}

interface SavedSession {
  url: string;
  token: string;
  expiresAt: string;
  username: string;
  partyId: string;
  roles: string[];
}

function configDir(env: CliIo['env']): string | null {
  if (env.CN_CONFIG_DIR) return env.CN_CONFIG_DIR;
  if (env.XDG_CONFIG_HOME) return path.join(env.XDG_CONFIG_HOME, 'cn');
  if (env.HOME) return path.join(env.HOME, '.config', 'cn');
  return null;
}

function sessionFile(env: CliIo['env']): string | null {
  const dir = configDir(env);
  return dir ? path.join(dir, 'session.json') : null;
}

export function readSession(env: CliIo['env']): SavedSession | null {
  const file = sessionFile(env);
  if (!file || !fs.existsSync(file)) return null;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SavedSession;
  } catch {
    return null;
  }
}

export function saveSession(env: CliIo['env'], url: string, login: LoginResult): string {
  const file = sessionFile(env);
  if (!file) throw new UsageError('cannot save the session: set CN_CONFIG_DIR or HOME');
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const saved: SavedSession = {
    url,
    token: login.token,
    expiresAt: login.expiresAt,
    username: login.user.username,
    partyId: login.user.partyId,
    roles: login.user.roles,
  };
  fs.writeFileSync(file, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}

export function forgetSession(env: CliIo['env']): boolean {
  const file = sessionFile(env);
  if (!file || !fs.existsSync(file)) return false;
  fs.rmSync(file);
  return true;
}

export function serverUrl(args: Args, io: CliIo): string {
  return (flag(args, 'url') ?? io.env.CN_URL ?? readSession(io.env)?.url ?? DEFAULT_URL).replace(/\/$/, '');
}

export function credentials(args: Args, io: CliIo): { user: string; password: string } | null {
  const user = flag(args, 'user') ?? io.env.CN_USER ?? io.env.CN_USERNAME;
  const password = flag(args, 'password') ?? io.env.CN_PASSWORD;
  return user && password ? { user, password } : null;
}

/** A client for the server, authenticated as the flags, environment or saved session say. */
export async function connect(args: Args, io: CliIo): Promise<ComputeNotesClient> {
  const baseUrl = serverUrl(args, io);
  const client = new ComputeNotesClient({ baseUrl, ...(io.fetch ? { fetch: io.fetch } : {}) });
  const token = flag(args, 'token') ?? io.env.CN_TOKEN;
  if (token) {
    client.setToken(token);
    return client;
  }
  const given = credentials(args, io);
  if (given) {
    await client.login(given.user, given.password);
    return client;
  }
  const saved = readSession(io.env);
  if (saved && saved.url === baseUrl) {
    if (Date.parse(saved.expiresAt) <= Date.now())
      throw new AuthError(`the session of ${saved.username} expired at ${saved.expiresAt}; run cn login`);
    client.setToken(saved.token);
    return client;
  }
  throw new AuthError(`not logged in to ${baseUrl}: run cn login, or set CN_USER and CN_PASSWORD (or CN_TOKEN)`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A note from what a person types: its id, ISIN, class ("A-2"), or deal and class
 * ("Meridian/B", "Helios/Senior"). Ambiguous or unknown input is a usage error naming the choices.
 */
export function findNote(notes: readonly Note[], deals: readonly Deal[], reference: string): Note {
  const text = reference.trim().toLowerCase();
  const exact = notes.find((n) => n.id.toLowerCase() === text || n.isin.toLowerCase() === text);
  if (exact) return exact;
  const [dealPart, classPart] = text.includes('/') ? (text.split('/', 2) as [string, string]) : [null, text];
  const matches = notes.filter((n) => {
    if (n.className.toLowerCase() !== classPart) return false;
    if (dealPart === null) return true;
    return (
      deals
        .find((d) => d.id === n.dealId)
        ?.name.toLowerCase()
        .startsWith(dealPart) ?? false
    );
  });
  if (matches.length === 1) return matches[0]!;
  const choices = notes
    .map((n) => `${deals.find((d) => d.id === n.dealId)?.name.split(' ')[0] ?? '?'}/${n.className} (${n.isin})`)
    .join(', ');
  if (matches.length === 0) throw new UsageError(`no note ${JSON.stringify(reference)}; notes: ${choices}`);
  throw new UsageError(`${JSON.stringify(reference)} names ${matches.length} notes; say which: ${choices}`);
}

export async function resolveNote(client: ComputeNotesClient, reference: string): Promise<{ note: Note; notes: Note[]; deals: Deal[] }> {
  if (UUID.test(reference)) {
    const note = await client.note(reference);
    return { note, notes: [note], deals: [] };
  }
  const [notes, deals] = await Promise.all([client.notes(), client.deals()]);
  return { note: findNote(notes, deals, reference), notes, deals };
}

export async function resolveDeal(client: ComputeNotesClient, reference: string): Promise<string> {
  if (UUID.test(reference)) return reference;
  const match = (await client.deals()).filter((d) => d.name.toLowerCase().startsWith(reference.toLowerCase()));
  if (match.length !== 1) throw new UsageError(`--deal ${reference} matches ${match.length} deals; give its id or more of its name`);
  return match[0]!.id;
}

/** "Meridian/A-2": short labels for notes in tables. */
export function noteLabels(notes: readonly Note[], deals: readonly Deal[]): Map<string, string> {
  return new Map(notes.map((n) => [n.id, `${deals.find((d) => d.id === n.dealId)?.name.split(' ')[0] ?? ''}/${n.className}`]));
}

/**
 * Party names as far as this user may see them: every eligible dealer's (public: RFQs name who
 * answered), the user's own party, and every party for the back office and operators. An id the
 * user may not resolve stays an id in the table rather than failing the command.
 */
export async function partyNames(client: ComputeNotesClient): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const [dealers, parties] = await Promise.all([client.dealers(), client.parties().catch(() => null)]);
  for (const d of dealers) names.set(d.id, d.name);
  for (const p of parties ?? []) names.set(p.id, p.name);
  const own = ownPartyId(client);
  if (own && !names.has(own)) {
    const party = await client.party(own).catch(() => null);
    if (party) names.set(party.id, party.name);
  }
  return names;
}

/** The party in this session's token (its claims are read, not trusted: the server checks them). */
export function ownPartyId(client: ComputeNotesClient): string | null {
  const payload = client.token?.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { partyId?: unknown };
    return typeof claims.partyId === 'string' ? claims.partyId : null;
  } catch {
    return null;
  }
}

/** A party from what a person types: its id, or its name (case-insensitive, a unique prefix will do). */
export async function resolveParty(client: ComputeNotesClient, reference: string): Promise<string> {
  if (UUID.test(reference)) return reference;
  const text = reference.toLowerCase();
  const parties = await client.parties().catch(async () => (await client.dealers()).map((d) => ({ ...d })));
  const exact = parties.filter((p) => p.name.toLowerCase() === text);
  const matches = exact.length > 0 ? exact : parties.filter((p) => p.name.toLowerCase().startsWith(text));
  if (matches.length !== 1)
    throw new UsageError(
      `--party ${reference} matches ${matches.length} parties; give its id or more of its name (${parties.map((p) => p.name).join(', ')})`,
    );
  return matches[0]!.id;
}
