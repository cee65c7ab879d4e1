/**
 * Debian's Chromium, headless, with a fake camera and microphone: how every browser test and
 * benchmark starts its browser. Playwright cannot download its own browser on these machines, so
 * playwright-core drives `/usr/bin/chromium` (`CHROMIUM` overrides the path).
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * The flags: no sandbox (tests run as root in CI), no GPU (none here), no background networking
 * (the machine's closed network refuses it, many times a second), and audio without a user
 * gesture (an AudioContext would otherwise stay suspended). The fake capture devices are added by
 * {@link launchChromium}.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface LaunchOptions {
  /**
   * What a camera/microphone permission prompt gets: 'grant' (default) answers yes to every
   * prompt, 'deny' refuses every one (for 10001/10002 tests).
   */
  permissions?: 'grant' | 'deny';
  /** Frame rate of the fake camera (Chromium's default is 20). */
  cameraFps?: number;
  /**
   * A WAV file the fake microphone plays, looped, in place of Chromium's beep (sound tests use a
   * known tone so that what reaches the recording can be measured).
   */
  micWav?: string;
}

/** Starts headless Chromium; close it in the test file's `after()`. */
export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const permission = options.permissions === 'deny' ? '--deny-permission-prompts' : '--use-fake-ui-for-media-stream';
  const devices = options.cameraFps ? `--use-fake-device-for-media-stream=fps=${options.cameraFps}` : '--use-fake-device-for-media-stream';
  const mic = options.micWav ? [`--use-file-for-fake-audio-capture=${options.micWav}`] : [];
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, devices, permission, ...mic] });
}
