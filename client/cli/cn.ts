/** Entry point of the `cn` command (npm run cn -- <command> …); see index.ts for the commands. */
import { main } from './index.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
