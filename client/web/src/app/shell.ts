/**
 * The shell: top bar (navigation by role, business date, live-link badge, user, log out) and the
 * router that mounts one view at a time from the URL path (history API; the server answers every
 * non-API path with the app). Leaving a view disposes its scope: live subscriptions and timers end.
 */
import { h, replace, Scope } from '../ui/dom.js';
import { errorAlert } from '../ui/notice.js';
import type { AppContext } from './context.js';
import type { LinkStatus } from '../live/feeds.js';

export type View = (app: AppContext, scope: Scope, params: Record<string, string>) => HTMLElement | Promise<HTMLElement>;

interface Route {
  pattern: RegExp;
  keys: string[];
  view: View;
  nav?: { label: string; visible: (app: AppContext) => boolean };
  path: string;
}

const STATUS_TEXT: Record<LinkStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

export class Shell {
  private readonly routes: Route[] = [];
  private readonly main = h('main', { testid: 'main' });
  private readonly nav = h('nav', { class: 'nav' });
  private readonly dateSlot = h('span', { class: 'meta', testid: 'business-date' });
  private readonly badge = h('span', { class: 'badge connecting', testid: 'link-status' }, STATUS_TEXT.connecting);
  private readonly userSlot = h('span', { class: 'meta', testid: 'user' });
  private scope = new Scope();
  private unsubscribeStatus: (() => void) | null = null;

  constructor(
    private readonly app: AppContext,
    private readonly root: HTMLElement,
    private readonly loginView: View,
  ) {
    window.addEventListener('popstate', () => void this.render());
    document.addEventListener('click', (event) => this.interceptLink(event));
  }

  route(path: string, view: View, nav?: Route['nav']): this {
    const keys: string[] = [];
    const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_m, key: string) => (keys.push(key), '([^/]+)'))}/?$`);
    this.routes.push({ pattern, keys, view, path, ...(nav ? { nav } : {}) });
    return this;
  }

  navigate(path: string): void {
    if (location.pathname !== path) history.pushState(null, '', path);
    void this.render();
  }

  /** Re-reads the business date into the top bar (after an end-of-day roll). */
  showBusinessDate(): void {
    replace(this.dateSlot, 'Business date ', h('b', {}, this.app.businessDate || '—'));
  }

  async render(): Promise<void> {
    this.scope.dispose();
    this.scope = new Scope();
    const scope = this.scope;
    if (!this.app.session) {
      replace(this.root, this.main);
      replace(this.main, await this.loginView(this.app, scope, {}));
      return;
    }
    if (!this.root.contains(this.nav)) this.mountChrome();
    this.showBusinessDate();
    const match = this.match(location.pathname);
    this.renderNav(match?.route);
    if (!match) {
      replace(this.main, errorAlert(new Error(`Nothing lives at ${location.pathname}.`)));
      return;
    }
    try {
      const element = await match.route.view(this.app, scope, match.params);
      if (scope === this.scope) replace(this.main, element);
    } catch (error) {
      if (scope === this.scope) replace(this.main, errorAlert(error, 'view-error'));
    }
  }

  private mountChrome(): void {
    const session = this.app.session!;
    replace(this.userSlot, h('b', {}, session.user.username), ` · ${this.app.ownParty?.name ?? ''} · ${session.user.roles.join(', ')}`);
    this.showBusinessDate();
    const logout = h('button', { class: 'small', testid: 'logout', onclick: () => this.app.logout() }, 'Log out');
    const topbar = h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'brand' }, 'Compute Notes ', h('span', {}, 'Exchange')),
      this.nav,
      h('div', { class: 'spacer' }),
      this.dateSlot,
      this.badge,
      this.userSlot,
      logout,
    );
    replace(this.root, topbar, this.main);
    this.unsubscribeStatus?.();
    this.unsubscribeStatus =
      this.app.live?.onStatus((status) => {
        this.badge.className = `badge ${status}`;
        this.badge.textContent = STATUS_TEXT[status];
      }) ?? null;
  }

  /** Called after logout: drop the chrome so the next login builds it for the new user. */
  reset(): void {
    this.unsubscribeStatus?.();
    this.unsubscribeStatus = null;
    this.nav.remove();
    history.replaceState(null, '', '/');
    void this.render();
  }

  private renderNav(active: Route | undefined): void {
    replace(
      this.nav,
      this.routes
        .filter((r) => r.nav?.visible(this.app))
        .map((r) =>
          h(
            'a',
            {
              href: r.path,
              class: r === active || (r.path === '/' && active?.path.startsWith('/notes')) ? 'active' : undefined,
              testid: `nav-${r.nav!.label.toLowerCase().replace(/\s+/g, '-')}`,
            },
            r.nav!.label,
          ),
        ),
    );
  }

  private match(path: string): { route: Route; params: Record<string, string> } | null {
    for (const route of this.routes) {
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = decodeURIComponent(found[i + 1] ?? '')));
      return { route, params };
    }
    return null;
  }

  private interceptLink(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const anchor = (event.target as HTMLElement).closest('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    this.navigate(url.pathname);
  }
}
