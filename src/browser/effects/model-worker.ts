/**
 * A model in a worker, asked one thing at a time with a rest after each answer: what the face
 * landmark tracker (`face-tracker.ts`) and the person segmenter (`person-segmenter.ts`) share, and
 * the picture worker's client (`../media/cpu-picture.ts`, no model to load and no rest).
 * Without a GPU the models run on the cores the picture stage and the video encoder need, so each
 * keeps to a share of a core; the stage never waits on them: a picture offered while the worker
 * is loading, busy or resting is simply not sent. A worker that cannot load (a 404, a CSP) or a
 * model that cannot run is reported once; the worker is then stopped and takes nothing more.
 */
export interface ModelWorkerOptions<Reply> {
  /** The worker script, loaded as a module. */
  url: string | URL;
  /** The worker's name (devtools). */
  name: string;
  /** What a load failure calls the worker ("face landmark worker"). */
  what: string;
  onReply(reply: Reply): void;
  /** Called once, with why, when the worker or its model fails. */
  onUnavailable(message: string): void;
}

export class ModelWorker<Request, Reply> {
  private readonly worker: Worker;
  private readonly options: ModelWorkerOptions<Reply>;
  private busy = true; // until the model is loaded (ready())
  private failed = false;
  /** performance.now() before which nothing is taken (the rest after an answer). */
  private restUntil = 0;

  constructor(options: ModelWorkerOptions<Reply>) {
    this.options = options;
    this.worker = new Worker(options.url, { type: 'module', name: options.name });
    // A worker that cannot load only says so through an 'error' event.
    this.worker.addEventListener('error', (e) => this.fail(`the ${options.what} ${String(options.url)} failed: ${e.message || 'could not load'}`));
    this.worker.addEventListener('message', (e: MessageEvent<Reply>) => options.onReply(e.data));
  }

  /** False once the worker or its model failed: no answer will come. */
  get available(): boolean {
    return !this.failed;
  }

  /** Whether a request would be taken now: loaded, not busy, rested. */
  get idle(): boolean {
    return !this.busy && !this.failed && performance.now() >= this.restUntil;
  }

  /** Takes the worker for a request when {@link idle} (true), to be sent with {@link post}. */
  claim(): boolean {
    if (!this.idle) return false;
    this.busy = true;
    return true;
  }

  /** A claimed request that will not be sent after all (its picture could not be read). */
  release(): void {
    this.busy = false;
  }

  post(message: Request, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  /** The model is loaded: requests are taken from now on. */
  ready(): void {
    this.busy = false;
  }

  /** The answer to the claimed request came; the next is taken after `restMs`. */
  answered(restMs: number): void {
    this.busy = false;
    this.restUntil = performance.now() + restMs;
  }

  /** Stops the worker and reports `message`, the first time only. */
  fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.worker.terminate();
    this.options.onUnavailable(message);
  }

  /** Stops the worker without a report. */
  close(): void {
    this.failed = true;
    this.worker.terminate();
  }
}
