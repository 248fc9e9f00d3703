/** `cn orders --all | head -1`: a closed pipe (EPIPE) exits 0 quietly; any other stream error still throws. */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitQuietlyOnClosedPipe } from '../../client/cli/epipe.js';

describe('exitQuietlyOnClosedPipe', () => {
  it('exits 0 on EPIPE and rethrows other errors', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitQuietlyOnClosedPipe(stream as never, (code) => exits.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([0]);
    expect(() => stream.emit('error', Object.assign(new Error('boom'), { code: 'EIO' }))).toThrow('boom');
  });
});
