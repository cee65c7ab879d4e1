/**
 * The status codes of `statechange` and `error` events (spec §4). Names are ours; the numbers and
 * their meanings are the mini-program's, so apps written for it keep working.
 */
export const StatusCode = {
  Connected: 1001,
  PushBegin: 1002,
  CameraOpened: 1003,
  ResolutionChanged: 1005,
  BitrateChanged: 1006,
  FirstFrameCaptured: 1007,
  EncoderStarted: 1008,
  UplinkSlow: 1101,
  Reconnecting: 1102,
  SoftwareEncoderFallback: 1103,
  VideoEncoderRestarted: 1104,
  DnsFailed: 3001,
  ConnectFailed: 3002,
  HandshakeFailed: 3003,
  ServerClosed: 3004,
  ReadWriteFailed: 3005,
  MicEnabledChanged: 4998,
  MutedChanged: 4999,
  DeviceInterrupted: 5001,
  CameraDenied: 10001,
  MicDenied: 10002,
  BgmLoadFailed: 10003,
  WaitingImageFailed: 10004,
  CameraOpenFailed: -1301,
  MicOpenFailed: -1302,
  VideoEncodeFailed: -1303,
  AudioEncodeFailed: -1304,
  UnsupportedResolution: -1305,
  UnsupportedSampleRate: -1306,
  ReconnectFailed: -1307,
} as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

const messages: Record<StatusCode, string> = {
  1001: 'connected to the push server',
  1002: 'handshake with the server done, pushing started',
  1003: 'camera opened',
  1005: 'pushed resolution changed by adaptation',
  1006: 'pushed bitrate changed by adaptation',
  1007: 'first frame captured',
  1008: 'encoder started',
  1101: 'uplink too slow: data is piling up',
  1102: 'connection lost, reconnecting',
  1103: 'hardware encoder failed, software encoder used',
  1104: 'video encoder failed and was restarted',
  3001: 'DNS resolution failed',
  3002: 'could not connect to the server',
  3003: 'RTMP handshake failed',
  3004: 'the server closed the connection (check the address, stream key or auth)',
  3005: 'RTMP read/write failed',
  4998: 'enable-mic changed',
  4999: 'muted changed',
  5001: 'interrupted by another capture of the device',
  10001: 'camera permission refused',
  10002: 'microphone permission refused',
  10003: 'background music failed to load',
  10004: 'waiting image failed to load or hash mismatch',
  [-1301]: 'camera failed to open',
  [-1302]: 'microphone failed to open',
  [-1303]: 'video encoding failed',
  [-1304]: 'audio encoding failed',
  [-1305]: 'unsupported video resolution',
  [-1306]: 'unsupported audio sample rate',
  [-1307]: 'disconnected and reconnecting failed: restart the push yourself',
};

/** The meaning of a status code, as the spec's table gives it. */
export function describeStatus(code: StatusCode): string {
  return messages[code];
}

/** A failure that carries the status code the element or CLI reports for it. */
export class LivePusherError extends Error {
  override name = 'LivePusherError';
  constructor(
    readonly code: StatusCode,
    message: string = describeStatus(code),
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
