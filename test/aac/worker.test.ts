import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, Worker } from 'node:worker_threads';
import { AacEncoder } from '../../src/media/aac/encoder.js';
import type { AacChunk, AacChunkMetadata } from '../../src/media/aac/encoder.js';
import { AacWorkerClient } from '../../src/media/aac/worker-client.js';
import { serveAacEncoder } from '../../src/media/aac/worker-host.js';
import type { MessagePortLike } from '../../src/media/aac/worker-protocol.js';
import { testSignal } from './signals.js';

function channel() {
  const { port1, port2 } = new MessageChannel();
  const detach = serveAacEncoder(port1 as unknown as MessagePortLike);
  return { client: port2 as unknown as MessagePortLike, close: () => (detach(), port1.close(), port2.close()) };
}

test('the worker client produces the same chunks as the encoder in this thread, and transfers buffers', async () => {
  const planes = testSignal(48000, 2, 0.5);
  const direct: AacChunk[] = [];
  const enc = new AacEncoder({ output: (c) => direct.push(c), error: assert.fail });
  enc.configure({ sampleRate: 48000, numberOfChannels: 2, bitrate: 128000 });
  enc.encode({ timestamp: 1000, sampleRate: 48000, numberOfChannels: 2, planes });
  await enc.flush();

  const { client: port, close } = channel();
  after(close);
  const got: AacChunk[] = [];
  const metas: (AacChunkMetadata | undefined)[] = [];
  const client = new AacWorkerClient(port, { output: (c, m) => (got.push(c), metas.push(m)), error: assert.fail });
  client.configure({ sampleRate: 48000, numberOfChannels: 2, bitrate: 128000 });
  const copies = planes.map((p) => p.slice());
  for (let at = 0; at < copies[0]!.length; at += 4800) {
    const piece = copies.map((p) => p.slice(at, at + 4800));
    client.encode({ timestamp: 1000 + (at * 1e6) / 48000, sampleRate: 48000, numberOfChannels: 2, planes: piece });
    assert.equal(piece[0]!.length, 0, 'the plane buffers were transferred to the worker');
  }
  await client.flush();
  assert.equal(got.length, direct.length);
  for (let i = 0; i < got.length; i++) {
    assert.equal(got[i]!.timestamp, direct[i]!.timestamp);
    assert.equal(got[i]!.duration, direct[i]!.duration);
    assert.deepEqual(got[i]!.data, direct[i]!.data);
  }
  assert.deepEqual([...metas[0]!.decoderConfig!.description], [0x11, 0x90]);
  client.close();
});

test('a failure in the worker reaches error() with its name, and closes the client', async () => {
  const { client: port, close } = channel();
  try {
    const errors: Error[] = [];
    const client = new AacWorkerClient(port, { output: assert.fail, error: (e) => errors.push(e) });
    client.configure({ sampleRate: 8000, numberOfChannels: 1 });
    await assert.rejects(client.flush(), { name: 'AbortError' });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.name, 'TypeError');
    assert.match(errors[0]!.message, /sampleRate/);
    assert.equal(client.state, 'closed');
  } finally {
    close();
  }
});

test('the worker entry serves the protocol from inside a real worker thread', async () => {
  // The thread registers tsx's loader first, to import TypeScript.
  const entry = new URL('./worker-thread-entry.ts', import.meta.url).href;
  const worker = new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true,
  });
  try {
    const listeners = new Map<(event: { data: unknown }) => void, (data: unknown) => void>();
    const port: MessagePortLike = {
      postMessage: (message, transfer) => worker.postMessage(message, transfer as never),
      addEventListener: (_type, listener) => {
        const wrapped = (data: unknown) => listener({ data });
        listeners.set(listener, wrapped);
        worker.on('message', wrapped);
      },
      removeEventListener: (_type, listener) => {
        const wrapped = listeners.get(listener);
        if (wrapped) worker.off('message', wrapped);
      },
    };
    const chunks: AacChunk[] = [];
    const client = new AacWorkerClient(port, { output: (c) => chunks.push(c), error: assert.fail });
    client.configure({ sampleRate: 16000, numberOfChannels: 1, bitrate: 32000 });
    client.encode({ timestamp: 0, sampleRate: 16000, numberOfChannels: 1, planes: testSignal(16000, 1, 0.5) });
    await client.flush();
    assert.equal(chunks.length, Math.ceil(8000 / 1024) + 1);
    client.close();
  } finally {
    await worker.terminate();
  }
});
