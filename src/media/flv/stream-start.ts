/**
 * Where a connection's media begins (DESIGN.md "Timing"): at its first video key frame, by
 * capture time, for both streams. Video before that key frame cannot be decoded and is dropped.
 * Audio is judged by its timestamp, not by when its encoder delivers it: a tag that arrives before
 * the key frame is held until it is out, and audio stamped before the key frame is dropped whether
 * it arrives before or after it (an AAC encoder in a busy worker can lag the video by a few frames).
 * Recorders and players take the earlier of the two first timestamps as the stream's start, so
 * either stream leading would show as silence or a frozen first picture.
 *
 * Mid-push (a new video encoder after a resize) only the video waits for a key frame; the sound
 * goes on.
 */
import { FlvTagType, type FlvTag } from './tag.js';
import { VideoFrameType } from './video.js';

export class StreamStartGate {
  /** The first key frame's timestamp; undefined while it is awaited. */
  private startMs: number | undefined;
  private videoNeedsKey = true;
  private held: FlvTag[] = [];

  /** @param maxHeldAudio audio tags kept while waiting (the oldest go first). */
  constructor(private readonly maxHeldAudio: number) {}

  /**
   * A new connection: media starts at the next key frame. Without video, audio starts at once
   * (the encoder already leaves out what precedes the connection's origin).
   */
  restart(hasVideo: boolean): void {
    this.startMs = hasVideo ? undefined : Number.NEGATIVE_INFINITY;
    this.videoNeedsKey = hasVideo;
    this.held = [];
  }

  /** The video continues from the next key frame (a new encoder); audio is not held for it. */
  awaitVideoKey(): void {
    this.videoNeedsKey = true;
  }

  /** The tags to send for a coded video frame, in order: none, the frame, or the first key frame and the audio held for it. */
  video(tag: FlvTag): FlvTag[] {
    if (this.videoNeedsKey) {
      if (!isKeyFrame(tag)) return [];
      this.videoNeedsKey = false;
    }
    if (this.startMs !== undefined) return [tag];
    this.startMs = tag.timestamp;
    const start = tag.timestamp;
    const audio = this.held.filter((a) => a.timestamp >= start);
    this.held = [];
    return [tag, ...audio];
  }

  /** The tags to send for an audio frame: none (held or before the start) or the frame. */
  audio(tag: FlvTag): FlvTag[] {
    if (this.startMs === undefined) {
      this.held.push(tag);
      if (this.held.length > this.maxHeldAudio) this.held.shift();
      return [];
    }
    return tag.timestamp >= this.startMs ? [tag] : [];
  }
}

/** A video tag whose FrameType is 1, key frame (FLV spec §E.4.3.1). */
export function isKeyFrame(tag: FlvTag): boolean {
  return tag.type === FlvTagType.Video && tag.data[0]! >>> 4 === VideoFrameType.Key;
}
