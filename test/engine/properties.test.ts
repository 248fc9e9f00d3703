/**
 * Property tests over random command streams (fast-check, fixed seeds: a failure prints the seed
 * and the shrunk stream, and replays exactly):
 * - the fast engine and the naive reference book agree on every event and every snapshot, and
 *   the invariants of oracle.ts hold after every command;
 * - determinism: the same stream gives the same events and state hash;
 * - snapshot at any point + restore + the rest of the stream = the same events and final hash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventLog, MatchingEngine } from '../../server/engine/index.js';
import { commandStream } from './arbitraries.js';
import { runDifferential, runEngine } from './oracle.js';

const RUNS = Number(process.env.ENGINE_PROPERTY_RUNS ?? 250);

describe('engine properties', () => {
  it('matches the reference book event for event and keeps every invariant', () => {
    fc.assert(
      fc.property(commandStream(150), (commands) => runDifferential(commands)),
      { seed: 20_240_601, numRuns: RUNS },
    );
  });

  it('is deterministic: the same stream gives the same events and state hash', () => {
    fc.assert(
      fc.property(commandStream(150), (commands) => {
        const first = runEngine(commands);
        const second = runEngine(structuredClone(commands));
        expect(second.events).toEqual(first.events);
        expect(second.hash).toBe(first.hash);
      }),
      { seed: 20_240_602, numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('restores a snapshot taken at any point to the same future', () => {
    fc.assert(
      fc.property(commandStream(150), fc.nat(), (commands, cutSeed) => {
        const cut = cutSeed % (commands.length + 1);
        const whole = runEngine(commands);
        const head = runEngine(commands.slice(0, cut));
        const snapshot = JSON.parse(JSON.stringify(head.engine.snapshot()));
        const log = new EventLog();
        const restored = MatchingEngine.restore(snapshot, { sink: log });
        restored.checkBook();
        expect(restored.stateHash()).toBe(head.hash);
        for (const command of commands.slice(cut)) restored.apply(command);
        expect(restored.stateHash()).toBe(whole.hash);
        expect(restored.snapshot()).toEqual(whole.engine.snapshot());
        expect(head.events.concat(log.take())).toEqual(whole.events);
      }),
      { seed: 20_240_603, numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('leaves the state hash unchanged on every rejection', () => {
    fc.assert(
      fc.property(commandStream(120), (commands) => {
        const log = new EventLog();
        const engine = new MatchingEngine({ sink: log });
        for (const command of commands) {
          const hash = engine.stateHash();
          engine.apply(command);
          const events = log.take();
          if (events[0]?.type === 'rejected') {
            expect(events).toHaveLength(1);
            expect(engine.stateHash()).toBe(hash);
          }
        }
      }),
      { seed: 20_240_604, numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
