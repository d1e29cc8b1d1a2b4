import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import type { DeliveryOutcome } from '../../shared/metrics.js';
import { type EventPresenter, findEventBySeq, presentEvent } from '../events/events.service.js';
import { dispatchEvents } from './dispatch.js';
import { type AttemptOutcome, sendAttempt } from './send.js';
import { webhookHeaders } from './signing.js';
import * as repo from './webhooks.repository.js';


export interface DeliveryWorkerOptions {
  db: Db;
  log: { warn: (object: object, message: string) => void };
  present: EventPresenter;
  timeoutMs: number;
  /** Seconds before each retry; past the last, a delivery has failed. */
  retryScheduleSeconds: number[];
  disableAfterSeconds: number;
  maxInFlight: number;
  maxInFlightPerEndpoint: number;
  /** The longest a worker sleeps before looking for work other processes committed. */
  pollMs: number;
  allowPrivateNetworks: boolean;
  /** Told of every attempt's outcome (metrics). */
  onOutcome?: (outcome: DeliveryOutcome) => void;
}

/** A lease outlives the attempt's timeout by this much, so no other process takes a delivery still being attempted. */
const LEASE_MARGIN_MS = 30_000;
/** Retry-After is honoured up to an hour. */
const MAX_RETRY_AFTER_S = 3600;
/**
 * Cycles woken by commits start at least this far apart. A busy shop wakes the worker after
 * every write request; then each cycle takes a batch of them rather than every order paying
 * for a cycle of its own. A wake on an idle shop runs at once, and so does the cycle after an
 * attempt ends (its endpoint has room for the next delivery).
 */
const MIN_CYCLE_GAP_MS = 50;
/** A cycle that found no delivery due, and when the next one falls due (undefined: none waits). */
interface NothingClaimed {
  nextDue: string | undefined;
}

/** Up to 10% is added to each scheduled delay, so retries of many deliveries spread out. */
const JITTER = 0.1;

/**
 * Delivers webhooks from one process: dispatches committed events, claims due deliveries
 * (a lease no other process can take while it lasts) and attempts each, at most
 * `maxInFlight` at once and `maxInFlightPerEndpoint` to one endpoint, so a slow endpoint
 * holds only its own share and never delays the others. It wakes when told (a commit in
 * this process), when the next retry falls due, and every `pollMs` for other processes' work.
 */
export class DeliveryWorker {
  private readonly owner = randomUUID();
  private readonly perEndpoint = new Map<number, number>();
  private readonly attempts = new Set<AbortController>();
  private inFlight = 0;
  private cycle: Promise<void> | undefined;
  private again = false;
  private againAtOnce = false;
  private lastCycleAt = -Infinity;
  /** Set while a wake waits for MIN_CYCLE_GAP_MS to pass. */
  private gapTimer: NodeJS.Timeout | undefined;
  /** The next poll, or the next retry falling due. */
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: DeliveryWorkerOptions) {}

  start(): void {
    this.wake();
  }

  /**
   * Something was committed: looks for work now, or once MIN_CYCLE_GAP_MS has passed since
   * the last cycle began (folded: wakes during a cycle, or while one waits its turn, make
   * one more cycle).
   */
  wake(): void {
    this.schedule(false);
  }

  /** `atOnce`: room was made or work is known to be waiting (an attempt ended, a claim came back full), so no gap. */
  private schedule(atOnce: boolean): void {
    if (this.stopped) return;
    if (this.cycle) {
      this.again = true;
      this.againAtOnce ||= atOnce;
      return;
    }
    const wait = atOnce ? 0 : this.lastCycleAt + MIN_CYCLE_GAP_MS - performance.now();
    if (wait > 0 && this.gapTimer) return;
    clearTimeout(this.timer);
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
    if (wait <= 0) {
      this.runCycle();
      return;
    }
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      this.runCycle();
    }, wait);
    this.gapTimer.unref();
  }

  /** Stops looking for work and abandons attempts in flight; their leases run out and another process (or a restart) makes them again. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.gapTimer);
    for (const attempt of this.attempts) attempt.abort();
    await this.cycle;
  }

  private runCycle(): void {
    if (this.stopped) return;
    this.lastCycleAt = performance.now();
    this.again = false;
    this.againAtOnce = false;
    // dispatchAndClaim never rejects: a failed cycle is logged there.
    this.cycle = this.dispatchAndClaim().then((nothingClaimed) => {
      this.cycle = undefined;
      if (this.again) this.schedule(this.againAtOnce);
      else void this.sleepUntilNextDue(nothingClaimed);
    });
  }

  private async dispatchAndClaim(): Promise<NothingClaimed | undefined> {
    try {
      await dispatchEvents(this.options.db);
      return await this.claimAndAttempt();
    } catch (error) {
      // No cycle right after a failed one: the next wake or poll tries again.
      this.again = false;
      this.againAtOnce = false;
      if (!this.stopped) this.options.log.warn({ err: error }, 'webhook delivery cycle failed');
      return undefined;
    }
  }

  /** `known`: what the cycle just read of the next due delivery, when it claimed nothing (else it is read again). */
  private async sleepUntilNextDue(known?: NothingClaimed): Promise<void> {
    if (this.stopped) return;
    let delay = this.options.pollMs;
    try {
      const next = known ? known.nextDue : await repo.nextDueAt(this.options.db, new Date().toISOString(), this.saturatedEndpoints());
      if (next !== undefined) delay = Math.min(delay, Math.max(0, Date.parse(next) - Date.now()));
    } catch {
      // The database is away (or closing): poll again later.
    }
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  private saturatedEndpoints(): number[] {
    return [...this.perEndpoint].filter(([, count]) => count >= this.options.maxInFlightPerEndpoint).map(([id]) => id);
  }

  /** Claims and starts due deliveries; when none is due yet, says when the next one falls due. */
  private async claimAndAttempt(): Promise<NothingClaimed | undefined> {
    const free = this.options.maxInFlight - this.inFlight;
    if (free <= 0) return undefined;
    const now = Date.now();
    const nowIso = new Date(now).toISOString();
    const skipEndpoints = this.saturatedEndpoints();
    // A read first, so a cycle with nothing due takes no write lock.
    const nextDue = await repo.nextDueAt(this.options.db, nowIso, skipEndpoints);
    if (nextDue === undefined || nextDue > nowIso) return { nextDue };
    const claimed = await repo.claimDueDeliveries(this.options.db, {
      owner: this.owner,
      now: nowIso,
      leaseUntil: new Date(now + this.options.timeoutMs + LEASE_MARGIN_MS).toISOString(),
      limit: free,
      skipEndpoints,
    });
    const giveBack: number[] = [];
    for (const delivery of claimed) {
      const count = this.perEndpoint.get(delivery.endpoint_id) ?? 0;
      if (count >= this.options.maxInFlightPerEndpoint) {
        giveBack.push(delivery.id);
        continue;
      }
      this.perEndpoint.set(delivery.endpoint_id, count + 1);
      this.inFlight += 1;
      void this.attempt(delivery);
    }
    await repo.releaseDeliveries(this.options.db, giveBack, this.owner);
    // A full claim may have left more due work behind.
    if (claimed.length === free) {
      this.again = true;
      this.againAtOnce = true;
    }
    return undefined;
  }

  private async attempt(delivery: repo.ClaimedDelivery): Promise<void> {
    const abort = new AbortController();
    this.attempts.add(abort);
    try {
      const sent = await this.send(delivery, abort.signal);
      if (sent && !this.stopped) await this.record(delivery, sent.outcome, sent.endpointWasFailing);
    } catch (error) {
      if (!this.stopped) this.options.log.warn({ err: error, delivery: delivery.id }, 'webhook attempt could not be recorded');
    } finally {
      this.attempts.delete(abort);
      this.inFlight -= 1;
      const count = (this.perEndpoint.get(delivery.endpoint_id) ?? 1) - 1;
      if (count === 0) this.perEndpoint.delete(delivery.endpoint_id);
      else this.perEndpoint.set(delivery.endpoint_id, count);
      this.schedule(true);
    }
  }

  /** One attempt: the event as consumers see it, signed with every valid secret, sent to the endpoint's checked address. */
  private async send(delivery: repo.ClaimedDelivery, signal: AbortSignal): Promise<{ outcome: AttemptOutcome; endpointWasFailing: boolean } | undefined> {
    const { db } = this.options;
    const [event, endpoint] = await Promise.all([findEventBySeq(db, delivery.event_seq), repo.findEndpointForAttempt(db, delivery.endpoint_id)]);
    // Deleted meanwhile (its deliveries went with it).
    if (!event || !endpoint) return undefined;
    const shown = presentEvent(event, this.options.present);
    const body = JSON.stringify({ type: shown.type, timestamp: shown.created_at, data: shown.data });
    const nowIso = new Date().toISOString();
    const secrets = [endpoint.secret];
    if (endpoint.previous_secret !== null && endpoint.previous_secret_expires_at !== null && endpoint.previous_secret_expires_at > nowIso) {
      secrets.push(endpoint.previous_secret);
    }
    const headers = webhookHeaders(secrets, event.id, Math.floor(Date.now() / 1000), body);
    const outcome = await sendAttempt({ url: endpoint.url, body, headers, timeoutMs: this.options.timeoutMs, allowPrivateNetworks: this.options.allowPrivateNetworks, signal });
    return { outcome, endpointWasFailing: endpoint.failing_since !== null };
  }

  private async record(delivery: repo.ClaimedDelivery, outcome: AttemptOutcome, endpointWasFailing: boolean): Promise<void> {
    const { db } = this.options;
    const at = new Date();
    const atIso = at.toISOString();
    if (outcome.succeeded) {
      await repo.recordAttempt(db, delivery.id, this.owner, { status: 'succeeded', nextAttemptAt: null, statusCode: outcome.statusCode, error: null, at: atIso });
      // Only an endpoint in a failing streak needs it ended (a write, skipped on the usual success).
      if (endpointWasFailing) await repo.markEndpointHealthy(db, delivery.endpoint_id);
      this.options.onOutcome?.('succeeded');
      return;
    }
    const attemptsMade = delivery.attempts + 1;
    const gone = outcome.statusCode === 410;
    const last = gone || delivery.final_attempt === 1 || attemptsMade > this.options.retryScheduleSeconds.length;
    const nextAttemptAt = last ? null : new Date(at.getTime() + this.retryDelayMs(attemptsMade, outcome)).toISOString();
    const error = outcome.error ?? `the endpoint answered ${outcome.statusCode}`;
    const recorded = await repo.recordAttempt(db, delivery.id, this.owner, {
      status: last ? 'failed' : 'pending',
      nextAttemptAt,
      statusCode: outcome.statusCode,
      error,
      at: atIso,
    });
    if (!recorded) return;
    if (gone) {
      await repo.disableEndpoint(db, delivery.endpoint_id, 'The endpoint answered 410 Gone.', atIso);
    } else {
      const days = Math.round((this.options.disableAfterSeconds / 86_400) * 10) / 10;
      const since = new Date(at.getTime() - this.options.disableAfterSeconds * 1000).toISOString();
      await repo.markEndpointFailing(db, delivery.endpoint_id, atIso, since, `No attempt has succeeded for ${days} days.`);
    }
    this.options.onOutcome?.(last ? 'failed' : 'retried');
  }

  /** The schedule's delay before retry `attemptsMade` (with jitter), or what Retry-After asked on a 429 or 503, up to an hour. */
  private retryDelayMs(attemptsMade: number, outcome: AttemptOutcome): number {
    if (outcome.retryAfterSeconds !== null && (outcome.statusCode === 429 || outcome.statusCode === 503)) {
      return Math.min(outcome.retryAfterSeconds, MAX_RETRY_AFTER_S) * 1000;
    }
    const base = (this.options.retryScheduleSeconds[attemptsMade - 1] ?? 0) * 1000;
    return Math.round(base * (1 + Math.random() * JITTER));
  }
}
