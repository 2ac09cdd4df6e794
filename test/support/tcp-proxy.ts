import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server that can lose one reply: the request reaches the server
 * (and is executed), the reply is dropped and the connection cut, as when Redis dies or the
 * network breaks between executing a command and answering it.
 */
export interface LossyProxy {
  readonly port: number;
  /** The next chunk the server sends is dropped and both sides of that connection are closed. */
  loseNextReply(): void;
  /** Resolves once a reply was lost after loseNextReply(). */
  readonly lost: () => Promise<void>;
  close(): Promise<void>;
}

export async function startLossyProxy(targetPort: number): Promise<LossyProxy> {
  const sockets = new Set<Socket>();
  let lose = false;
  let onLost: (() => void) | undefined;
  let lostOnce: Promise<void> = Promise.resolve();
  const server = createServer((client) => {
    const upstream = connect({ port: targetPort, host: '127.0.0.1' });
    sockets.add(client).add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (!lose) return void client.write(d);
      lose = false;
      cut();
      onLost?.();
    });
    client.on('close', cut).on('error', cut);
    upstream.on('close', cut).on('error', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (typeof addr !== 'object' || !addr) throw new Error('proxy has no port');
  return {
    port: addr.port,
    loseNextReply() {
      lose = true;
      lostOnce = new Promise((resolve) => (onLost = resolve));
    },
    lost: () => lostOnce,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
