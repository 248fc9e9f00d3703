// Worker threads do not inherit tsx's loader (the server runs under tsx, tests under vitest):
// register it, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./grid-worker.ts');
