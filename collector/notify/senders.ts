import type { ChannelWithSecret } from './channels.js';
import { kindOf } from './kinds/index.js';
import type { ConnectionPool } from './kinds/kind.js';
import type { NotificationMessage } from './message.js';

export interface SendOptions {
  timeoutMs: number;
  now: number;
}

/** Delivers a message through a channel by its kind's `send` (kinds/<kind>.ts), keeping kinds' connections (SMTP) between messages. */
export class ChannelSender {
  private readonly connections = new Map<string, { connection: unknown; close: () => void }>();

  private readonly pool: ConnectionPool = {
    get: <T>(key: string, open: () => T, close: (connection: T) => void): T => {
      const held = this.connections.get(key);
      if (held) return held.connection as T;
      const connection = open();
      this.connections.set(key, { connection, close: () => close(connection) });
      return connection;
    },
  };

  send(channel: ChannelWithSecret, m: NotificationMessage, opts: SendOptions): Promise<void> {
    return kindOf(channel.kind).send(channel, m, { ...opts, pool: this.pool });
  }

  close(): void {
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }
}
