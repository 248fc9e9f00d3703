/**
 * The web app's entry: the session, the shell and its routes. Markets (note list) and note pages
 * for everyone; the dealer desk for dealers; the RFQ panel for investors; own trades with their
 * settlement and on-chain state for investors and dealers; surveillance of the deals' collateral
 * performance for everyone; the back office for back office and operators. All data comes through the SDK (REST) and its WebSocket session.
 */
import './styles.css';
import { AppContext } from './app/context.js';
import { Shell } from './app/shell.js';
import { loginView } from './views/login.js';
import { marketsView } from './views/markets.js';
import { noteView } from './views/note.js';
import { dealerView } from './views/dealer.js';
import { rfqView } from './views/rfq.js';
import { backOfficeView } from './views/backoffice.js';
import { tradesView } from './views/trades.js';
import { surveillanceView } from './views/surveillance.js';
import { riskView } from './views/risk.js';
import { positionsView } from './views/positions.js';

const app = new AppContext();
const root = document.getElementById('app')!;

const shell = new Shell(app, root, (context, scope) =>
  loginView(context, scope, async () => {
    await context.loadReference();
    shell.navigate(homeOf(context));
  }),
);

shell
  .route('/', marketsView, { label: 'Markets', visible: () => true })
  .route('/notes/:id', noteView)
  .route('/dealer', dealerView, { label: 'Dealer desk', visible: (a) => a.hasRole('dealer') })
  .route('/rfq', rfqView, { label: 'RFQ', visible: (a) => a.hasRole('investor') })
  .route('/positions', positionsView, { label: 'Positions', visible: (a) => a.canTrade })
  .route('/trades', tradesView, { label: 'My trades', visible: (a) => a.canTrade })
  .route('/surveillance', surveillanceView, { label: 'Surveillance', visible: () => true })
  .route('/surveillance/:dealId', surveillanceView)
  .route('/risk', riskView, { label: 'Risk', visible: () => true })
  .route('/backoffice', backOfficeView, { label: 'Back office', visible: (a) => a.seesAllParties });

app.onSessionEnd = () => shell.reset();
app.navigate = (path) => shell.navigate(path);

function homeOf(context: AppContext): string {
  if (context.seesAllParties) return '/backoffice';
  if (context.hasRole('dealer')) return '/dealer';
  return '/';
}

async function boot(): Promise<void> {
  if (app.restore()) {
    try {
      await app.loadReference();
    } catch {
      // An expired or revoked token: start over at the login page.
      app.logout();
      return;
    }
  }
  await shell.render();
}

void boot();
