/**
 * The connection to NATS shared by the publisher, the snapshot responder and the gateways: it
 * reconnects forever (a restarted nats-server is picked up again), and the stream is created on
 * first use — file storage, so that a restarted nats-server still holds what was published, and a
 * long duplicate window, so that a publish retried after a lost acknowledgement is stored once.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { DUPLICATE_WINDOW_NS, FEED_SUBJECTS, STREAM } from './subjects.js';

export interface Bus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm(): Promise<JetStreamManager>;
  close(): Promise<void>;
}

export async function connectBus(url: string, logger: Logger, name: string): Promise<Bus> {
  const nc = await connect({
    servers: url.split(',').map((s) => s.trim()),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') logger.warn({ nats: status.type, name }, 'NATS connection');
    }
  })().catch(() => undefined);
  let manager: JetStreamManager | null = null;
  return {
    nc,
    js: jetstream(nc),
    jsm: async () => (manager ??= await jetstreamManager(nc)),
    close: async () => {
      if (!nc.isClosed()) await nc.close();
    },
  };
}

/** Creates the stream if it does not exist (idempotent; the first publisher or gateway to start makes it). */
export async function ensureStream(bus: Bus): Promise<void> {
  const jsm = await bus.jsm();
  try {
    await jsm.streams.info(STREAM);
  } catch {
    try {
      await jsm.streams.add({ name: STREAM, subjects: [FEED_SUBJECTS], duplicate_window: DUPLICATE_WINDOW_NS });
    } catch (error) {
      // Another process created it meanwhile.
      await jsm.streams.info(STREAM).catch(() => {
        throw error;
      });
    }
  }
}
