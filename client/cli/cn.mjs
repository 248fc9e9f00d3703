#!/usr/bin/env node
// Launcher of the `cn` command (package.json "bin"): registers tsx's loader, resolved from this
// file's location so `cn` works from any directory, then runs the TypeScript entry point cn.ts.
import { register } from 'tsx/esm/api';

register();
await import('./cn.ts');
