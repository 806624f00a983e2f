/**
 * A claim a worker holds on a job (`claim.ts` makes it): the job's delivery, kept alive with
 * heartbeats, and the job's state on the server, which only the holder writes — the session
 * once it exists, then the outcome, or `queued` again when the worker gives the job back.
 *
 * Every write is a compare-and-set on the revision this claim last wrote, retried while the
 * server is away. A write that finds the job taken over by another worker (this one was cut off
 * past the ack wait) means the claim is lost: from then on the delivery is the other worker's,
 * and this one neither acknowledges nor hands it back — the server would take that for an
 * answer to the current delivery.
 * @module
 */
import type { JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { TaskOutcome } from "../../runs/dispatcher.ts";
import { type JobState, readJob, type RunningJob, updateJob } from "./job_state.ts";

/** Room left in a NATS message for the rest of an outcome besides its answer. */
const OUTCOME_OVERHEAD_BYTES = 64 * 1024;

/** What a claim writes through. */
export interface ClaimLink {
  nc: NatsConnection;
  jobs: KV;
  sleep(ms: number): Promise<void>;
}

/** A job this worker runs, as the server knows it. */
export class HeldClaim {
  readonly #link: ClaimLink;
  /** The job's key in the jobs bucket. */
  readonly key: string;
  /** The job's state as this worker last wrote it. */
  state: RunningJob;
  #revision: number;
  /** The latest delivery of the job's message: heartbeats and the ack go to it. */
  message: JsMsg;

  /** The claim `claimDelivery` made on `key`, at `revision`, for `message`. */
  constructor(
    link: ClaimLink,
    key: string,
    claimed: { state: RunningJob; revision: number },
    message: JsMsg,
  ) {
    this.#link = link;
    this.key = key;
    this.state = claimed.state;
    this.#revision = claimed.revision;
    this.message = message;
  }

  /** Tells the server the job is still at work, so it is not given to another worker. */
  heartbeat(): void {
    try {
      this.message.working();
    } catch {
      // Disconnected: the next beat, or the server's redelivery, sorts it out.
    }
  }

  /** Records the job's session (so a coordinator that reattaches can name it). */
  async noteSession(sessionId: string): Promise<boolean> {
    this.state = { ...this.state, session_id: sessionId };
    return await this.#write(this.state);
  }

  /**
   * Writes the outcome (its answer cut to fit one message) and acknowledges the delivery.
   * Returns false, writing and acknowledging nothing, when the claim was lost.
   */
  async report(outcome: TaskOutcome): Promise<boolean> {
    const limit = Math.max(
      4096,
      (this.#link.nc.info?.max_payload ?? 1024 * 1024) - OUTCOME_OVERHEAD_BYTES,
    );
    const held = await this.#write({
      state: "done",
      job_id: this.state.job_id,
      outcome: fitOutcome(outcome, limit),
    });
    if (!held) return false;
    // Not waited for: if the ack is lost, the job comes back after the ack wait and its claim,
    // now `done`, drops it.
    try {
      this.message.ack();
    } catch {
      // Disconnected: as above.
    }
    return true;
  }

  /**
   * Hands the job back: its state becomes `queued` again and the message goes back to the
   * queue at once. Returns false, doing neither, when the claim was lost.
   */
  async giveBack(): Promise<boolean> {
    const held = await this.#write({
      state: "queued",
      job_id: this.state.job_id,
      subject: this.state.subject,
      queued_at: this.state.started_at,
    });
    if (held) this.message.nak();
    return held;
  }

  /**
   * Writes `state` over this claim, retrying while the server is away. Returns false when the
   * claim was lost (another worker took the job over while this one was cut off), or the
   * connection is closed for good.
   */
  async #write(state: JobState): Promise<boolean> {
    const { jobs, nc, sleep } = this.#link;
    for (let wait = 250;; wait = Math.min(wait * 2, 5000)) {
      try {
        const revision = await updateJob(jobs, this.key, state, this.#revision);
        if (revision !== undefined) {
          this.#revision = revision;
          return true;
        }
        // Moved under us: only this worker's own earlier write (whose answer was lost) may
        // have done that.
        const current = await readJob(jobs, this.key);
        if (
          current?.state.state === "running" && current.state.worker === this.state.worker &&
          current.state.seq === this.state.seq
        ) {
          this.#revision = current.revision;
          continue;
        }
        return false;
      } catch {
        if (nc.isClosed()) return false;
        await sleep(wait);
      }
    }
  }
}

/**
 * `outcome` with its answer cut to fit one NATS message of `limit` bytes, saying so; the full
 * answer stays in the session on this worker.
 */
export function fitOutcome(outcome: TaskOutcome, limit: number): TaskOutcome {
  const bytes = new TextEncoder().encode(outcome.content);
  if (bytes.length <= limit) return outcome;
  const cut = new TextDecoder().decode(bytes.subarray(0, limit)).replace(/\uFFFD$/, "");
  const where = outcome.session_id
    ? `; the whole answer is in session ${outcome.session_id} on worker ${outcome.worker}`
    : "";
  return {
    ...outcome,
    content: `${cut}\n[clinvk: answer cut at ${limit} bytes to fit a NATS message${where}]`,
  };
}
