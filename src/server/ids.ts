/**
 * Ids of the objects the server returns (`chatcmpl-…`, `resp_…`, `msg_…`), and the Responses
 * API's ids that name a clinvk session so that `previous_response_id` continues it.
 * @module
 */

/** `prefix` followed by 24 random hex digits. */
export function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A Responses API id: `resp_<session>_<random>`, or `resp_<random>` for an ephemeral run. */
export function responseId(sessionId: string | undefined): string {
  return sessionId ? randomId(`resp_${sessionId}_`) : randomId("resp_");
}

/** The clinvk session a response id names; `undefined` for an ephemeral run's or a foreign id. */
export function sessionOfResponseId(id: string): string | undefined {
  return /^resp_([a-z0-9]{1,64})_[0-9a-f]{24}$/.exec(id)?.[1];
}

/** A Responses API conversation id for a session: `conv_<session>`. */
export function conversationId(sessionId: string): string {
  return `conv_${sessionId}`;
}

/** The session a `conversation` names: `conv_<session>` or a bare session id. */
export function sessionOfConversation(id: string): string {
  return id.startsWith("conv_") ? id.slice("conv_".length) : id;
}

/** Seconds since the epoch, as the OpenAI API's `created` fields. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
