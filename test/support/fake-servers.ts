/**
 * Tiny misbehaving TCP servers on 127.0.0.1 for RTMP error-path tests.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** A running fake server. */
export interface FakeServer {
  readonly port: number;
  /** Number of TCP connections accepted so far. */
  readonly connections: number;
  /** Closes the listener and destroys all open connections. */
  stop(): Promise<void>;
}

const C0C1 = 1 + 1536;

async function listen(onConnection: (socket: net.Socket) => void): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {
      // the client under test may reset the connection
    });
    onConnection(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers the first bytes from a client (C0/C1) with 3073 random bytes whose
 * first byte (S0, the version) is never 3, then keeps the socket open.
 */
export function startGarbageHandshakeServer(): Promise<FakeServer> {
  return listen((socket) => {
    socket.once('data', () => {
      const garbage = randomBytes(C0C1 + 1536);
      if (garbage[0] === 3) garbage[0] = 0xfa;
      socket.write(garbage);
      socket.resume();
    });
  });
}

/** Accepts connections, reads and discards everything, and never answers. */
export function startSilentServer(): Promise<FakeServer> {
  return listen((socket) => socket.resume());
}

/**
 * Completes a valid RTMP simple handshake (S0 = 3, S1 = time 0 + zero + 1528
 * random bytes, S2 = echo of C1), waits for C2, then closes the socket as
 * soon as any byte after C2 (the first chunk of `connect`) arrives.
 */
export function startDroppingServer(): Promise<FakeServer> {
  return listen((socket) => {
    let buffered = Buffer.alloc(0);
    let state: 'c0c1' | 'c2' = 'c0c1';
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (state === 'c0c1' && buffered.length >= C0C1) {
        const c1 = buffered.subarray(1, C0C1);
        const s1 = Buffer.concat([Buffer.alloc(8), randomBytes(1528)]); // time 0, zero 0, random
        socket.write(Buffer.concat([Buffer.from([3]), s1, c1]));
        buffered = buffered.subarray(C0C1);
        state = 'c2';
      }
      if (state === 'c2' && buffered.length > 1536) socket.destroy();
    });
  });
}
