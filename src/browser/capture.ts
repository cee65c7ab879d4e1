/**
 * Camera and microphone capture for the element (spec §1 capture attributes, §4 codes): the
 * `getUserMedia` constraints the settings ask for, and what a failure means in status codes.
 */
import { LivePusherError, StatusCode } from '../core/codes.js';
import type { AudioSettings, VideoSettings } from '../core/modes.js';

/** `navigator.mediaDevices.getUserMedia`, or what the app put in its place (`captureSource`). */
export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

export interface CaptureRequest {
  camera: boolean;
  mic: boolean;
  facingMode: 'user' | 'environment';
  video: VideoSettings;
  audio: AudioSettings;
}

/** Both tracks, each optional, in one MediaStream for the preview. */
export interface Capture {
  stream: MediaStream;
  video: MediaStreamTrack | undefined;
  audio: MediaStreamTrack | undefined;
}

/**
 * Camera constraints: the pushed size as an `ideal` (a camera that cannot deliver it is scaled by
 * the video stage, never refused: spec §2), the frame rate as an ideal too.
 */
export function videoConstraints(request: CaptureRequest): MediaTrackConstraints {
  // Cameras deliver landscape; ask for the pushed picture's long side as the width.
  const long = Math.max(request.video.width, request.video.height);
  const short = Math.min(request.video.width, request.video.height);
  return {
    facingMode: { ideal: request.facingMode },
    width: { ideal: long },
    height: { ideal: short },
    frameRate: { ideal: request.video.fps },
  };
}

export function audioConstraints(request: CaptureRequest): MediaTrackConstraints {
  return {
    sampleRate: { ideal: request.audio.sampleRate },
    channelCount: { ideal: request.audio.channels },
    echoCancellation: request.audio.echoCancellation,
    noiseSuppression: request.audio.noiseSuppression,
    autoGainControl: request.audio.autoGainControl,
  };
}

/** Whether a microphone track runs the processing the settings ask for (where the browser says). */
export function processingMatches(track: MediaStreamTrack, audio: AudioSettings): boolean {
  const got = track.getSettings();
  return (
    (got.echoCancellation === undefined || got.echoCancellation === audio.echoCancellation) &&
    (got.noiseSuppression === undefined || got.noiseSuppression === audio.noiseSuppression) &&
    (got.autoGainControl === undefined || got.autoGainControl === audio.autoGainControl)
  );
}

/**
 * What a failed `getUserMedia` means for one device (spec §4): the device did not open
 * (statechange −1301/−1302) and, when the user refused it, also an `error` event 10001/10002.
 */
export interface CaptureFailure {
  /** The statechange: −1301 camera or −1302 microphone. */
  error: LivePusherError;
  /** The `error` event for a refused permission: 10001 camera or 10002 microphone. */
  refusal?: LivePusherError;
}

export function classifyCaptureError(kind: 'camera' | 'mic', e: unknown): CaptureFailure {
  const name = (e as { name?: string } | null)?.name ?? '';
  const permission = name === 'NotAllowedError' || name === 'SecurityError';
  const what = kind === 'camera' ? 'camera' : 'microphone';
  const reason = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const message = `${what} ${permission ? 'permission refused' : 'failed to open'} (${reason})`;
  const failure: CaptureFailure = { error: new LivePusherError(kind === 'camera' ? StatusCode.CameraOpenFailed : StatusCode.MicOpenFailed, message) };
  if (permission) failure.refusal = new LivePusherError(kind === 'camera' ? StatusCode.CameraDenied : StatusCode.MicDenied, message);
  return failure;
}

function browserGetUserMedia(): GetUserMedia | undefined {
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  return devices?.getUserMedia ? (constraints) => devices.getUserMedia(constraints) : undefined;
}

/**
 * Opens the devices the request names, one `getUserMedia` per device so that a refused microphone
 * does not cost the camera (and each gets its own code). Returns what opened and what failed.
 * `source` replaces the browser's devices (the element's `captureSource`, a web extension).
 */
export async function openCapture(
  request: CaptureRequest,
  source: GetUserMedia | undefined = browserGetUserMedia(),
): Promise<{ capture: Capture; failures: CaptureFailure[] }> {
  const stream = new MediaStream();
  const failures: CaptureFailure[] = [];
  const open = async (kind: 'camera' | 'mic') => {
    if (!source) {
      failures.push(classifyCaptureError(kind, Object.assign(new Error('getUserMedia needs a secure context (https or localhost)'), { name: 'SecurityError' })));
      return undefined;
    }
    try {
      const got = await source(kind === 'camera' ? { video: videoConstraints(request) } : { audio: audioConstraints(request) });
      const track = kind === 'camera' ? got.getVideoTracks()[0] : got.getAudioTracks()[0];
      if (track) stream.addTrack(track);
      return track;
    } catch (e) {
      failures.push(classifyCaptureError(kind, e));
      return undefined;
    }
  };
  const video = request.camera ? await open('camera') : undefined;
  const audio = request.mic ? await open('mic') : undefined;
  return { capture: { stream, video, audio }, failures };
}

/** Stops every track of a capture (releases the camera light). */
export function closeCapture(capture: Capture | undefined): void {
  for (const track of capture?.stream.getTracks() ?? []) track.stop();
}
