/**
 * The tunnel's pure parts: control frames, target strings, close-code mapping, the allowlist and
 * the address policy. Malformed input must end in a typed error, never another exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { StatusCode } from '../../src/core/codes.js';
import {
  TunnelCloseCode,
  TunnelProtocolError,
  closeReason,
  encodeControlFrame,
  errorFrame,
  parseControlFrame,
  parseTunnelTarget,
  statusForClose,
  tunnelUrl,
} from '../../src/transport/tunnel-protocol.js';
import { TunnelTransport } from '../../src/transport/tunnel.js';
import { Allowlist, AllowlistError } from '../../src/node/gateway/allowlist.js';
import { isPublicAddress, sameAddress, unmapAddress } from '../../src/node/gateway/address-policy.js';

test('control frames round-trip', () => {
  assert.deepEqual(parseControlFrame(encodeControlFrame({ type: 'open' })), { type: 'open' });
  const err = errorFrame('dns', 'cannot resolve x');
  assert.deepEqual(parseControlFrame(encodeControlFrame(err)), { type: 'error', code: 3001, reason: 'dns', message: 'cannot resolve x' });
  assert.equal(errorFrame('not-allowed', '').code, StatusCode.ConnectFailed);
  // The brief's minimal shape (no reason) is accepted and the reason derived from the code.
  assert.deepEqual(parseControlFrame('{"type":"error","code":3002,"message":"m"}'), { type: 'error', code: 3002, reason: 'connect', message: 'm' });
});

test('malformed control frames are TunnelProtocolError, never anything else', () => {
  const bad: unknown[] = [
    '', 'null', '[]', '1', '"open"', '{', '{"type":"opn"}', '{"type":"error","code":1001}', '{"type":"error","code":"3001"}',
    '{"type":"error","code":3001,"reason":"because"}', '{"type":"error","code":3005}', `{"type":"open","x":"${'a'.repeat(5000)}"}`,
    new ArrayBuffer(4), undefined, 42, '{"__proto__":{"type":"open"}}',
  ];
  for (const b of bad) assert.throws(() => parseControlFrame(b), TunnelProtocolError, String(b).slice(0, 40));
  for (let i = 0; i < 2000; i++) {
    const text = randomBytes(1 + (i % 40)).toString(i % 2 ? 'latin1' : 'base64');
    try {
      parseControlFrame(text);
    } catch (e) {
      assert.ok(e instanceof TunnelProtocolError, `${JSON.stringify(text)}: ${String(e)}`);
    }
  }
});

test('targets: strict scheme://host:port, default ports, no paths or tricks', () => {
  assert.deepEqual(parseTunnelTarget('rtmp://Live.Example.com'), { scheme: 'rtmp', host: 'live.example.com', port: 1935 });
  assert.deepEqual(parseTunnelTarget('rtmps://a.b:444/'), { scheme: 'rtmps', host: 'a.b', port: 444 });
  assert.deepEqual(parseTunnelTarget('rtmps://x.y'), { scheme: 'rtmps', host: 'x.y', port: 443 });
  assert.deepEqual(parseTunnelTarget('rtmp://[::1]:1935'), { scheme: 'rtmp', host: '::1', port: 1935 });
  assert.deepEqual(parseTunnelTarget('rtmp://127.0.0.1:1'), { scheme: 'rtmp', host: '127.0.0.1', port: 1 });
  for (const bad of [
    null, '', 'http://a.b', 'rtmp://a.b/live', 'rtmp://a.b/live/key', 'rtmp://user@a.b', 'rtmp://a.b:0', 'rtmp://a.b:65536',
    'rtmp://a.b?x=1', 'rtmp://2130706433', 'rtmp://0x7f.1', 'rtmp://127.1', 'rtmp://a..b', 'rtmp://-a.b', 'rtmp://[abc]',
    'rtmp://a.b:1935#f', 'rtmp://a b', 'rtmp://' + 'a'.repeat(300), 'RTMP://a.b',
  ]) {
    assert.throws(() => parseTunnelTarget(bad), TunnelProtocolError, String(bad));
  }
});

test('the gateway URL carries scheme://host:port only, URL-encoded', () => {
  const url = new URL(tunnelUrl('ws://gw.example:8090/tunnel?region=eu', { scheme: 'rtmp', host: '::1', port: 1935 }, 't k'));
  assert.equal(url.searchParams.get('target'), 'rtmp://[::1]:1935');
  assert.equal(url.searchParams.get('token'), 't k');
  assert.equal(url.searchParams.get('region'), 'eu');
  assert.match(url.href, /target=rtmp%3A%2F%2F%5B%3A%3A1%5D%3A1935/);
  assert.throws(() => tunnelUrl('http://x', { scheme: 'rtmp', host: 'a', port: 1 }), TypeError);
});

test('close codes map to 3004/3005', () => {
  assert.equal(statusForClose(TunnelCloseCode.ServerEnded, ''), undefined);
  assert.equal(statusForClose(TunnelCloseCode.GoingAway, 'bye')?.code, StatusCode.ServerClosed);
  assert.equal(statusForClose(TunnelCloseCode.ServerFailed, 'ECONNRESET')?.code, StatusCode.ReadWriteFailed);
  assert.match(statusForClose(TunnelCloseCode.ServerFailed, 'ECONNRESET')!.message, /ECONNRESET/);
  assert.equal(statusForClose(TunnelCloseCode.IdleTimeout, '')?.code, StatusCode.ReadWriteFailed);
  assert.equal(statusForClose(1006, '')?.code, StatusCode.ReadWriteFailed);
  assert.ok(Buffer.byteLength(closeReason('é'.repeat(200))) <= 123);
});

test('allowlist patterns', () => {
  const list = new Allowlist(['rtmp://live.example.com', 'rtmps://*.example.com', 'rtmp://127.0.0.1:*', 'rtmp://[::1]:1935', (t) => t.host === 'pred.test']);
  const check = (s: string) => list.check(parseTunnelTarget(s));
  assert.deepEqual(check('rtmp://live.example.com:1935'), { allowed: true, namesAddress: false });
  assert.deepEqual(check('rtmp://live.example.com:1936'), { allowed: false });
  assert.deepEqual(check('rtmps://live.example.com'), { allowed: true, namesAddress: false });
  assert.deepEqual(check('rtmps://a.b.example.com:443'), { allowed: true, namesAddress: false });
  assert.deepEqual(check('rtmps://example.com'), { allowed: false });
  assert.deepEqual(check('rtmps://evilexample.com'), { allowed: false });
  assert.deepEqual(check('rtmps://a.example.com:444'), { allowed: false });
  assert.deepEqual(check('rtmp://127.0.0.1:5'), { allowed: true, namesAddress: true });
  assert.deepEqual(check('rtmps://127.0.0.1:5'), { allowed: false });
  assert.deepEqual(check('rtmp://[0:0::1]:1935'), { allowed: true, namesAddress: true });
  assert.deepEqual(check('rtmp://pred.test'), { allowed: true, namesAddress: false });
  assert.deepEqual(new Allowlist([() => { throw new Error('x'); }]).check(parseTunnelTarget('rtmp://a.b')), { allowed: false });
  for (const bad of ['http://a', 'rtmp://a/b', 'rtmp://a:*x', 'rtmp://a:0', 'rtmp://[zz]']) assert.throws(() => new Allowlist([bad]), AllowlistError, bad);
});

test('address policy: special ranges refused, IPv4-mapped IPv6 unwrapped', () => {
  for (const a of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) assert.ok(isPublicAddress(a), a);
  for (const a of [
    '127.0.0.1', '127.5.5.5', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1',
    '224.0.0.1', '255.255.255.255', '::', '::1', 'fe80::1', 'fc00::1', 'fd12::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:7f00:1',
    '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::127.0.0.1', 'not-an-ip',
  ]) {
    assert.ok(!isPublicAddress(a), a);
  }
  assert.ok(isPublicAddress('172.32.0.1'));
  assert.equal(unmapAddress('::ffff:7f00:1'), '127.0.0.1');
  assert.ok(sameAddress('::1', '0:0:0:0:0:0:0:1'));
  assert.ok(sameAddress('::ffff:127.0.0.1', '127.0.0.1'));
  assert.ok(!sameAddress('127.0.0.1', '127.0.0.2'));
});

test('TunnelTransport refuses a bad gateway URL or a missing WebSocket at construction', () => {
  const WebSocket = class {} as unknown as typeof globalThis.WebSocket;
  assert.throws(() => new TunnelTransport({ gateway: 'http://gw/tunnel', WebSocket }), /options\.gateway/);
  assert.throws(() => new TunnelTransport({ gateway: 'not a url', WebSocket }), /options\.gateway/);
  if (!('WebSocket' in globalThis)) assert.throws(() => new TunnelTransport({ gateway: 'ws://gw/tunnel' }), /options\.WebSocket/);
  assert.equal(new TunnelTransport({ gateway: 'wss://gw/tunnel', WebSocket }).bufferedAmount, 0);
});
