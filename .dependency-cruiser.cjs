/**
 * dependency-cruiser rules (`npm run lint:deps`): the layers of the README's picture, arrows
 * pointing one way, no circles. docs/ARCHITECTURE.md explains the layers; from the bottom:
 *   pure         server/domain, server/engine — no I/O, import nothing else of server/
 *   core         server/core — rejections, shared input schemas, the clock; imports only pure
 *   services     every other folder of server/ (ledger, refdata, sequencer, settlement, …) and db/
 *   application  server/trading (order entry, the tape), server/services.ts (the service container)
 *   edges        server/api (HTTP), server/ws (WebSocket), server/bus (NATS JetStream: publisher, gateways' feeds)
 *   entry        server/index.ts, gateway-main.ts, bootstrap.ts, config.ts, db/migrate-cli.ts, server/demo
 * TypeScript is parsed with swc: TypeScript 7's npm package has no compiler API for
 * dependency-cruiser to use. Type-only imports count (a circle of types is still a circle).
 */
const PURE = '^server/(domain|engine)/';
const EDGES = '^server/(api|ws|bus)/';
const ENTRY = '^server/(index\\.ts|gateway-main\\.ts|bootstrap\\.ts|config\\.ts|db/migrate-cli\\.ts|demo/)';
const APPLICATION = '^server/(trading/|services\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module may not reach itself through its imports (types included).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-imports-nothing',
      severity: 'error',
      comment: 'domain and engine are pure: they import nothing from the rest of server/.',
      from: { path: PURE },
      to: { path: '^server/', pathNot: PURE },
    },
    {
      name: 'core-imports-only-pure',
      severity: 'error',
      comment: 'core sits below every service and edge: it may import domain and engine only.',
      from: { path: '^server/core/' },
      to: { path: '^server/', pathNot: [PURE, '^server/core/'] },
    },
    {
      name: 'server-not-to-client',
      severity: 'error',
      comment: 'The server never imports the clients (SDK, CLI, web app).',
      from: { path: '^server/' },
      to: { path: '^client/' },
    },
    {
      name: 'nothing-below-edges-imports-edges',
      severity: 'error',
      comment: 'Services, core and pure code never import api/ or ws/ (rejections and schemas live in core/).',
      from: { path: '^server/', pathNot: [EDGES, ENTRY] },
      to: { path: EDGES },
    },
    {
      name: 'services-not-to-application',
      severity: 'error',
      comment: 'Services never import order entry (trading/) or the service container: those sit above them.',
      from: { path: '^server/', pathNot: [EDGES, ENTRY, APPLICATION] },
      to: { path: APPLICATION },
    },
    {
      name: 'nothing-imports-entry',
      severity: 'error',
      comment: 'Only the process entry assembles the service; nothing else imports it (demo data aside).',
      from: { path: '^server/', pathNot: ENTRY },
      to: { path: '^server/(index\\.ts|bootstrap\\.ts|db/migrate-cli\\.ts)$' },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^client/web/dist/' },
  },
};
