import type { Db, WebhookEndpointRow } from '../../db/database.js';
import { inTransaction } from '../../db/engine.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import { pageCount } from '../../shared/schemas.js';
import { recordEvent } from '../events/events.service.js';
import { endpointUrlProblem } from './destination.js';
import { newWebhookSecret } from './signing.js';
import * as repo from './webhooks.repository.js';
import type {
  CreateWebhookEndpointBody,
  CreatedWebhookEndpoint,
  ListDeliveriesQuery,
  UpdateWebhookEndpointBody,
  WebhookDeliveryResponse,
  WebhookEndpointResponse,
} from './webhooks.schemas.js';

/** Which destinations the shop allows (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
export interface DestinationRules {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
}

/** After a rotation the old secret still signs for this long, so a consumer can switch without losing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

function assertUrlAllowed(url: string, rules: DestinationRules): void {
  const problem = endpointUrlProblem(url, rules);
  if (problem !== undefined) throw new ValidationError('/body/url', problem);
}

export async function createEndpoint(db: Db, rules: DestinationRules, input: CreateWebhookEndpointBody): Promise<CreatedWebhookEndpoint> {
  assertUrlAllowed(input.url, rules);
  const secret = newWebhookSecret();
  const id = await inTransaction(db, (trx) =>
    repo.insertEndpoint(
      trx,
      { url: input.url, description: input.description ?? null, active: input.active === false ? 0 : 1, secret, now: new Date().toISOString() },
      [...input.events],
    ),
  );
  return { ...(await getEndpoint(db, id)), secret };
}

export async function listEndpoints(db: Db): Promise<WebhookEndpointResponse[]> {
  return (await repo.findEndpoints(db)).map(toEndpointResponse);
}

export async function getEndpoint(db: Db, id: number): Promise<WebhookEndpointResponse> {
  const [endpoint] = await repo.findEndpoints(db, id);
  if (!endpoint) throw new NotFoundError('Webhook endpoint');
  return toEndpointResponse(endpoint);
}

export async function updateEndpoint(db: Db, rules: DestinationRules, id: number, input: UpdateWebhookEndpointBody): Promise<WebhookEndpointResponse> {
  if (input.url !== undefined) assertUrlAllowed(input.url, rules);
  await inTransaction(db, async (trx) => {
    const found = await repo.updateEndpoint(trx, id, {
      url: input.url,
      description: input.description,
      active: input.active === undefined ? undefined : input.active ? 1 : 0,
      updated_at: new Date().toISOString(),
    });
    if (!found) throw new NotFoundError('Webhook endpoint');
    if (input.events !== undefined) await repo.replaceSubscriptions(trx, id, [...input.events]);
  });
  return getEndpoint(db, id);
}

export async function deleteEndpoint(db: Db, id: number): Promise<void> {
  if (!(await repo.deleteEndpoint(db, id))) throw new NotFoundError('Webhook endpoint');
}

export async function rotateSecret(db: Db, id: number): Promise<{ secret: string }> {
  const secret = newWebhookSecret();
  const now = Date.now();
  const rotated = await repo.rotateSecret(db, id, secret, new Date(now + ROTATION_OVERLAP_MS).toISOString(), new Date(now).toISOString());
  if (!rotated) throw new NotFoundError('Webhook endpoint');
  return { secret };
}

/** Records a ping event and its one delivery, to this endpoint only; the worker sends it at once. */
export async function sendTestPing(db: Db, id: number): Promise<{ delivery_id: number }> {
  return inTransaction(db, async (trx) => {
    const [endpoint] = await repo.findEndpoints(trx, id);
    if (!endpoint) throw new NotFoundError('Webhook endpoint');
    const now = new Date().toISOString();
    const event = await recordEvent(trx, 'ping', {}, now);
    return { delivery_id: await repo.insertDelivery(trx, id, event.seq, now) };
  });
}

export async function pageDeliveries(db: Db, endpointId: number, query: ListDeliveriesQuery) {
  await getEndpoint(db, endpointId);
  const [rows, total] = await Promise.all([
    repo.findDeliveriesPage(db, endpointId, query.status, query.per_page, (query.page - 1) * query.per_page),
    repo.countDeliveries(db, endpointId, query.status),
  ]);
  return { items: rows.map(toDeliveryResponse), page: query.page, per_page: query.per_page, total, pages: pageCount(total, query.per_page) };
}

/** One more attempt of a delivery, now, with the same event (and so the same webhook-id). */
export async function redeliver(db: Db, id: number): Promise<void> {
  const delivery = await repo.findDelivery(db, id);
  if (!delivery) throw new NotFoundError('Webhook delivery');
  if (delivery.endpoint_active !== 1) throw new ConflictError('Its endpoint is disabled; enable it (PUT active: true) first.');
  if (!(await repo.scheduleRedelivery(db, id, new Date().toISOString()))) throw new NotFoundError('Webhook delivery');
}

function toEndpointResponse(endpoint: WebhookEndpointRow & { events: string[] }): WebhookEndpointResponse {
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    active: endpoint.active === 1,
    disabled_reason: endpoint.disabled_reason,
    created_at: endpoint.created_at,
    updated_at: endpoint.updated_at,
  };
}

function toDeliveryResponse(row: repo.DeliveryListRow): WebhookDeliveryResponse {
  return { ...row, attempts: Number(row.attempts), last_status_code: row.last_status_code === null ? null : Number(row.last_status_code) };
}

/** The retention job's part here: finished deliveries go after as long as events are kept. */
export function purgeFinishedDeliveries(db: Db, retentionDays: number, now = Date.now()): Promise<void> {
  return repo.deleteFinishedDeliveriesBefore(db, new Date(now - retentionDays * 86_400_000).toISOString());
}

/** Deliveries waiting for an attempt (the events_waiting metric). */
export function countWaitingDeliveries(db: Db): Promise<number> {
  return repo.countPendingDeliveries(db);
}
