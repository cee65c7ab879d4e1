import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LivePusherError, StatusCode } from '../../src/core/codes.js';
import { parseRtmpUrl } from '../../src/rtmp/url.js';

test('rtmp URLs split into app and stream name the way ffmpeg does', () => {
  const cases: [string, Partial<ReturnType<typeof parseRtmpUrl>>][] = [
    ['rtmp://live.example.com/live/key', { scheme: 'rtmp', host: 'live.example.com', port: 1935, app: 'live', streamName: 'key', tcUrl: 'rtmp://live.example.com/live' }],
    ['rtmp://h:1940/app/a/b/c', { port: 1940, app: 'app', streamName: 'a/b/c', tcUrl: 'rtmp://h:1940/app' }],
    ['rtmp://h/live/key?auth=x&t=1', { app: 'live', streamName: 'key?auth=x&t=1' }],
    ['rtmps://ingest.example.com/app/k', { scheme: 'rtmps', port: 443, tcUrl: 'rtmps://ingest.example.com/app' }],
    ['rtmp://[::1]:1935/live/k', { host: '::1', port: 1935, tcUrl: 'rtmp://[::1]:1935/live' }],
    ['  rtmp://h//live/k  ', { app: 'live', streamName: 'k' }],
    ['RTMP://H/live/k', { scheme: 'rtmp', host: 'h' }],
  ];
  for (const [url, want] of cases) {
    const got = parseRtmpUrl(url);
    for (const [key, value] of Object.entries(want)) assert.equal(got[key as keyof typeof got], value, `${url} ${key}`);
  }
});

test('anything else is a clear 3002', () => {
  for (const url of ['https://h/live/k', 'rtmp://h', 'rtmp://h/', 'rtmp://h/live', 'rtmp://h/live/', 'nonsense', '', 'rtmp:///live/k']) {
    assert.throws(
      () => parseRtmpUrl(url),
      (e: unknown) => e instanceof LivePusherError && e.code === StatusCode.ConnectFailed && e.message.includes('invalid push url'),
      url,
    );
  }
});
