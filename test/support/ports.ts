/**
 * Port helpers for tests. Tests never use fixed ports: other programs on the
 * machine use the common ones.
 */
import net from 'node:net';

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago: listens on port
 * 0, reads the port the kernel chose, and closes the listener again.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: listener has no TCP address'));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/**
 * Resolves once a TCP connection to host:port succeeds; rejects after
 * `timeoutMs`. `check` is called between attempts and may throw to abort
 * early (e.g. when the server process has already exited).
 */
export async function waitForPort(
  port: number,
  opts: { host?: string; timeoutMs?: number; check?: () => void } = {},
): Promise<void> {
  const host = opts.host ?? '127.0.0.1';
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    opts.check?.();
    if (await canConnect(host, port)) return;
    if (Date.now() > deadline) {
      throw new Error(`port ${host}:${port} did not accept TCP connections in time`);
    }
    await delay(25);
  }
}

/** True when a TCP connection to host:port can be opened (it is closed at once). */
export function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Promise that resolves after `ms` milliseconds (for bounded polling loops). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
