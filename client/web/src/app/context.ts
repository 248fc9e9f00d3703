/**
 * The app's session and shared reference data: the SDK client, the logged-in user (its token
 * kept in sessionStorage, so each browser tab is its own session), the live WebSocket feeds, the
 * notes and deals, the business date, and — for the back office — the parties by id.
 */
import { ComputeNotesClient, type Deal, type LoginResult, type Note, type Party, type Role } from '../../../sdk/index.js';
import { LiveFeeds } from '../live/feeds.js';

const STORAGE_KEY = 'cnx.session';

export class AppContext {
  readonly client = new ComputeNotesClient({ baseUrl: location.origin });
  session: LoginResult | null = null;
  live: LiveFeeds | null = null;
  notes: Note[] = [];
  deals: Deal[] = [];
  businessDate = '';
  parties = new Map<string, Party>();
  ownParty: Party | null = null;
  /** A message for the next page drawn (e.g. the outcome of an action that redraws the page). */
  flash: string | null = null;
  /** Moves to another page of the app (set by the shell). */
  navigate: (path: string) => void = (path) => location.assign(path);
  /** Called when the session ends (logout, expired token) so the shell can show the login page. */
  onSessionEnd: () => void = () => undefined;

  /** Restores a session saved in this tab, if its token has not expired. */
  restore(): boolean {
    const saved = sessionStorage.getItem(STORAGE_KEY);
    if (!saved) return false;
    try {
      const session = JSON.parse(saved) as LoginResult;
      if (new Date(session.expiresAt).getTime() <= Date.now()) return false;
      this.begin(session);
      return true;
    } catch {
      sessionStorage.removeItem(STORAGE_KEY);
      return false;
    }
  }

  async login(username: string, password: string): Promise<void> {
    const session = await this.client.login(username, password);
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
    this.begin(session);
  }

  logout(): void {
    sessionStorage.removeItem(STORAGE_KEY);
    this.live?.close();
    this.live = null;
    this.session = null;
    this.client.setToken(undefined);
    this.onSessionEnd();
  }

  private begin(session: LoginResult): void {
    this.session = session;
    this.client.setToken(session.token);
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    this.live = new LiveFeeds(`${scheme}://${location.host}/ws`, () => this.session?.token);
    this.live.start();
  }

  /** Notes, deals, the business date, and parties for the back office. */
  async loadReference(): Promise<void> {
    const [notes, deals, date] = await Promise.all([this.client.notes(), this.client.deals(), this.client.businessDate()]);
    this.notes = notes;
    this.deals = deals;
    this.businessDate = date.businessDate;
    if (this.seesAllParties) this.parties = new Map((await this.client.parties()).map((p) => [p.id, p]));
    // Everyone may name the dealers (RFQ answers, quotes): their names are public.
    else
      for (const dealer of await this.client.dealers())
        this.parties.set(dealer.id, { id: dealer.id, name: dealer.name, kind: 'dealer', eligible: true } as Party);
    this.ownParty = this.parties.get(this.session!.user.partyId) ?? (await this.client.party(this.session!.user.partyId));
  }

  async refreshBusinessDate(): Promise<string> {
    this.businessDate = (await this.client.businessDate()).businessDate;
    return this.businessDate;
  }

  hasRole(role: Role): boolean {
    return this.session?.user.roles.includes(role) ?? false;
  }

  get canTrade(): boolean {
    return this.hasRole('investor') || this.hasRole('dealer');
  }

  get seesAllParties(): boolean {
    return this.hasRole('backoffice') || this.hasRole('operator');
  }

  note(id: string): Note | undefined {
    return this.notes.find((n) => n.id === id);
  }

  dealOf(note: Note): Deal | undefined {
    return this.deals.find((d) => d.id === note.dealId);
  }

  /** "Meridian 2026-1 A-2": the deal's short name and the class. */
  noteLabel(noteOrId: Note | string): string {
    const note = typeof noteOrId === 'string' ? this.note(noteOrId) : noteOrId;
    if (!note) return typeof noteOrId === 'string' ? noteOrId : '';
    const deal = this.dealOf(note);
    return `${deal ? shortDealName(deal.name) : ''} ${note.className}`.trim();
  }

  partyName(id: string | null): string {
    if (!id) return '';
    if (id === this.session?.user.partyId) return 'You';
    return this.parties.get(id)?.name ?? `Party ${id.slice(-6)}`;
  }
}

/** "Meridian Compute ABS 2026-1" → "Meridian 2026-1". */
export function shortDealName(name: string): string {
  const words = name.split(' ');
  return words.length > 2 ? `${words[0]} ${words[words.length - 1]}` : name;
}
