/**
 * Pulling tasks only while there is room for them. A worker serves several subjects (one per
 * backend, and its own); each has a loop that asks its consumer for at most its share of the
 * free slots, so a busy worker pulls nothing and an idle one picks a task up within a round
 * trip. Two subjects answering at once can deliver more than fits: the extra task is handed
 * straight back (`nak`) for another worker.
 * @module
 */
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { TASKS_STREAM } from "./subjects.ts";

/** How long one pull waits on the server for a task. */
const PULL_EXPIRES_MS = 10_000;

/** The worker's task slots. */
export class Slots {
  readonly #max: number;
  #used = 0;
  #waiters: (() => void)[] = [];

  /** `max` slots, all free. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Slots in use. */
  get used(): number {
    return this.#used;
  }

  /** Free slots. */
  get free(): number {
    return this.#max - this.#used;
  }

  /** Takes a slot if one is free. */
  take(): boolean {
    if (this.#used >= this.#max) return false;
    this.#used++;
    return true;
  }

  /** Gives a slot back. */
  release(): void {
    this.#used = Math.max(0, this.#used - 1);
    this.#wake();
  }

  /** Resolves once a slot is free (or at once when one is). */
  whenFree(): Promise<void> {
    if (this.free > 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Wakes everyone waiting (used when stopping). */
  wakeAll(): void {
    this.#wake();
  }

  // Every waiter looks again: with one slot free, one of them gets it and the others wait on.
  #wake(): void {
    const waiting = this.#waiters;
    this.#waiters = [];
    for (const wake of waiting) wake();
  }
}

/** What the loops need. */
export interface PullOptions {
  js: JetStreamClient;
  /** Durable consumer names, one per subject served. */
  consumers: readonly string[];
  slots: Slots;
  /** Called with each task that got a slot (already taken for it). */
  deliver(message: JsMsg): void;
  /** Re-creates a consumer that went missing (the server lost its state). */
  repair(consumer: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Trouble worth a line, said once per kind until it clears. */
  say(line: string): void;
  /** Whether to stop pulling from this consumer for good (its backend cannot run here). */
  skip(consumer: string): boolean;
}

/** The pull loops of one worker. */
export class Puller {
  readonly #options: PullOptions;
  readonly #fetches = new Set<ConsumerMessages>();
  readonly #loops: Promise<void>[] = [];
  #stopped = false;

  /** Loops over `options.consumers`; call {@linkcode start}. */
  constructor(options: PullOptions) {
    this.#options = options;
  }

  /** Starts pulling. */
  start(): void {
    for (const name of this.#options.consumers) this.#loops.push(this.#loop(name));
  }

  /** Stops pulling; resolves when every loop has ended. Tasks delivered after this go back. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#options.slots.wakeAll();
    for (const fetch of this.#fetches) fetch.stop();
    await Promise.all(this.#loops);
  }

  async #loop(name: string): Promise<void> {
    const { js, slots, deliver, consumers } = this.#options;
    let troubled = false;
    while (!this.#stopped && !this.#options.skip(name)) {
      await slots.whenFree();
      if (this.#stopped) break;
      const want = Math.max(1, Math.ceil(slots.free / consumers.length));
      let fetch: ConsumerMessages | undefined;
      try {
        const consumer = await js.consumers.get(TASKS_STREAM, name);
        fetch = await consumer.fetch({ max_messages: want, expires: PULL_EXPIRES_MS });
        this.#fetches.add(fetch);
        if (this.#stopped) fetch.stop();
        for await (const message of fetch) {
          if (this.#stopped || this.#options.skip(name) || !slots.take()) {
            message.nak();
            continue;
          }
          troubled = false;
          deliver(message);
        }
      } catch (error) {
        if (this.#stopped) break;
        if (!troubled) {
          troubled = true;
          this.#options.say(
            `cannot pull tasks from ${name}: ${error instanceof Error ? error.message : error}; ` +
              "retrying",
          );
        }
        if (/consumer not found/i.test(String(error))) {
          await this.#options.repair(name).catch(() => {});
        }
        await this.#options.sleep(1000);
      } finally {
        if (fetch) this.#fetches.delete(fetch);
      }
    }
  }
}
