import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { purgeExpiredGuestCarts } from '../modules/cart/cart.service.js';
import { type EventPresenter, purgeOldEvents } from '../modules/events/events.service.js';
import { purgeExpiredIdempotencyKeys } from '../modules/orders/orders.service.js';
import { createPaymentProviders, expireUnpaidOrders } from '../modules/payments/payments.service.js';
import { DeliveryWorker } from '../modules/webhooks/delivery-worker.js';
import type { DeliveryOutcome } from '../shared/metrics.js';
import { purgeFinishedDeliveries } from '../modules/webhooks/webhooks.service.js';
import { type ScheduledJob, runDueJobs } from './scheduled-jobs.js';

/** How often a process looks for due housekeeping jobs. */
const JOBS_CHECK_MS = 60_000;
const HOUR_S = 3600;

/** The shop's housekeeping, one list (each job runs once per period across all processes). */
export function shopJobs(config: Config, extra: ScheduledJob[] = []): ScheduledJob[] {
  return [
    { name: 'purge-idempotency-keys', everySeconds: HOUR_S, run: (db, now) => purgeExpiredIdempotencyKeys(db, now) },
    { name: 'purge-guest-carts', everySeconds: HOUR_S, run: (db, now) => purgeExpiredGuestCarts(db, now) },
    {
      name: 'purge-old-events',
      everySeconds: HOUR_S,
      run: async (db, now) => {
        await purgeFinishedDeliveries(db, config.eventRetentionDays, now);
        await purgeOldEvents(db, config.eventRetentionDays, now);
      },
    },
    ...paymentJobs(config),
    ...extra,
  ];
}

/** How often unpaid orders are looked for; an order expires within this long after ORDER_PAYMENT_TIMEOUT_S. */
const EXPIRY_CHECK_S = 60;

/** Unpaid orders cancelled after ORDER_PAYMENT_TIMEOUT_S (0: never), their open payments voided through their providers. */
function paymentJobs(config: Config): ScheduledJob[] {
  if (config.orderPaymentTimeoutSeconds === 0) return [];
  const providers = createPaymentProviders(config);
  return [{ name: 'expire-unpaid-orders', everySeconds: EXPIRY_CHECK_S, run: (db, now) => expireUnpaidOrders(db, providers, config.orderPaymentTimeoutSeconds, now) }];
}

export interface BackgroundOptions {
  db: Db;
  config: Config;
  log: { warn: (object: object, message: string) => void };
  present: EventPresenter;
  jobs: ScheduledJob[];
  onDeliveryOutcome?: (outcome: DeliveryOutcome) => void;
}

export interface Background {
  /** Something was committed that may need delivering: look now. */
  wake: () => void;
  stop: () => Promise<void>;
}

/**
 * What runs beside the requests: the webhook delivery worker and the scheduled jobs. Each
 * API process runs it (WEBHOOK_DELIVERY=inline), or only `npm run worker` processes do.
 */
export function startBackground(options: BackgroundOptions): Background {
  const { db, config, log } = options;
  const worker = new DeliveryWorker({
    db,
    log,
    present: options.present,
    timeoutMs: config.webhookTimeoutMs,
    retryScheduleSeconds: config.webhookRetryScheduleSeconds,
    disableAfterSeconds: config.webhookDisableAfterSeconds,
    maxInFlight: config.webhookMaxInFlight,
    maxInFlightPerEndpoint: config.webhookMaxInFlightPerEndpoint,
    pollMs: config.webhookPollMs,
    allowPrivateNetworks: config.webhookAllowPrivateNetworks,
    onOutcome: options.onDeliveryOutcome,
  });
  worker.start();

  let jobsRun: Promise<unknown> = Promise.resolve();
  const checkJobs = () => {
    jobsRun = runDueJobs(db, options.jobs, Date.now(), log).catch((error: unknown) => log.warn({ err: error }, 'scheduled jobs could not be checked'));
  };
  const jobsTimer = setInterval(checkJobs, JOBS_CHECK_MS);
  jobsTimer.unref();
  checkJobs();

  return {
    wake: () => worker.wake(),
    stop: async () => {
      clearInterval(jobsTimer);
      await Promise.all([worker.stop(), jobsRun]);
    },
  };
}
