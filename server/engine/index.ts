/**
 * The matching engine's public surface: the engine, its command/event/view types, the rejection
 * codes, the event sinks and the snapshot format. Nothing else in server/engine is public.
 */
export { MatchingEngine, type EngineOptions } from './engine.js';
export { EventLog, type EventSink } from './events.js';
export { EventBuffer } from './event-buffer.js';
export { REJECT_CODES, rejectRank, type RejectCode } from './codes.js';
export { EngineDefect } from './assert.js';
export { SNAPSHOT_FORMAT, type EngineSnapshot, type SnapshotNote, type SnapshotOrder, type SnapshotQuote } from './snapshot.js';
export * from './types.js';
