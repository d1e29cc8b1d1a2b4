import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/** A PaymentIntent as the fake keeps it (the fields the provider reads). */
export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  amount_capturable: number;
  currency: string;
  capture_method: string;
  status: string;
  client_secret: string;
  last_payment_error: null | { code: string };
  metadata: Record<string, string>;
  refunded: number;
}

export const FAKE_STRIPE_KEY = 'sk_test_fake_key_never_shown_4242';
export const FAKE_WEBHOOK_SECRET = 'whsec_fake_signing_secret';

/**
 * Stripe's API on loopback, just the PaymentIntent endpoints the provider uses (create,
 * retrieve, capture, cancel, refunds), for the official client to talk to. It keeps the
 * Idempotency-Key of every request (and answers a repeated key with the first answer, as
 * Stripe does), can be told to answer 503 (an outage), and plays the buyer's part: a
 * confirmed intent succeeds or waits for capture as its capture_method says.
 */
export async function startFakeStripe(t: { after: (close: () => Promise<void>) => void }) {
  const intents = new Map<string, FakeIntent>();
  const answered = new Map<string, { status: number; body: unknown }>();
  const requests: { method: string; path: string; idempotencyKey: string | undefined; authorization: string | undefined }[] = [];
  let outage = false;
  let sequence = 0;

  const handle = (request: IncomingMessage, body: URLSearchParams): { status: number; body: unknown } => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method === 'POST' && path === '/v1/payment_intents') {
      sequence += 1;
      const id = `pi_fake${sequence}`;
      const metadata: Record<string, string> = {};
      for (const [key, value] of body) {
        const match = /^metadata\[(.+)\]$/.exec(key);
        if (match) metadata[match[1]!] = value;
      }
      const intent: FakeIntent = {
        id,
        object: 'payment_intent',
        amount: Number(body.get('amount')),
        amount_received: 0,
        amount_capturable: 0,
        currency: body.get('currency') ?? '',
        capture_method: body.get('capture_method') ?? 'automatic',
        status: 'requires_payment_method',
        client_secret: `${id}_secret_fake`,
        last_payment_error: null,
        metadata,
        refunded: 0,
      };
      intents.set(id, intent);
      return { status: 200, body: intent };
    }
    const intentPath = /^\/v1\/payment_intents\/([^/]+)(\/capture|\/cancel)?$/.exec(path);
    if (intentPath) {
      const intent = intents.get(intentPath[1]!);
      if (!intent) return refusal(404, 'resource_missing');
      if (request.method === 'GET') return { status: 200, body: intent };
      if (intentPath[2] === '/capture') {
        if (intent.status !== 'requires_capture') return refusal(400, 'payment_intent_unexpected_state');
        const amount = Number(body.get('amount_to_capture') ?? intent.amount);
        Object.assign(intent, { status: 'succeeded', amount_received: amount, amount_capturable: 0 });
        return { status: 200, body: intent };
      }
      if (intent.status === 'succeeded' || intent.status === 'canceled') return refusal(400, 'payment_intent_unexpected_state');
      Object.assign(intent, { status: 'canceled', amount_capturable: 0 });
      return { status: 200, body: intent };
    }
    if (request.method === 'POST' && path === '/v1/refunds') {
      const intent = intents.get(body.get('payment_intent') ?? '');
      if (!intent || intent.status !== 'succeeded') return refusal(400, 'charge_not_refundable');
      const amount = Number(body.get('amount') ?? intent.amount_received - intent.refunded);
      if (intent.refunded + amount > intent.amount_received) return refusal(400, 'charge_already_refunded');
      intent.refunded += amount;
      sequence += 1;
      return { status: 200, body: { id: `re_fake${sequence}`, object: 'refund', amount, payment_intent: intent.id, status: 'succeeded' } };
    }
    return refusal(404, 'resource_missing');
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const idempotencyKey = request.headers['idempotency-key'] as string | undefined;
      requests.push({ method: request.method ?? '', path: request.url ?? '', idempotencyKey, authorization: request.headers.authorization });
      let answer: { status: number; body: unknown };
      if (outage) answer = { status: 503, body: { error: { type: 'api_error', message: 'Stripe is down (fake)' } } };
      else if (idempotencyKey !== undefined && answered.has(idempotencyKey)) answer = answered.get(idempotencyKey)!;
      else {
        answer = handle(request, new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        if (idempotencyKey !== undefined) answered.set(idempotencyKey, answer);
      }
      response.writeHead(answer.status, { 'content-type': 'application/json', 'request-id': `req_${requests.length}` });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  const intent = (id: string): FakeIntent => {
    const found = intents.get(id);
    if (!found) throw new Error(`the fake Stripe has no PaymentIntent ${id}`);
    return found;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    intent,
    intents,
    setOutage: (down: boolean) => {
      outage = down;
    },
    /** The buyer confirms with the client secret: the money is taken, or held for capture. */
    confirm: (id: string): FakeIntent => {
      const found = intent(id);
      if (found.capture_method === 'manual') Object.assign(found, { status: 'requires_capture', amount_capturable: found.amount });
      else Object.assign(found, { status: 'succeeded', amount_received: found.amount });
      return found;
    },
    /** The card is declined. */
    decline: (id: string): FakeIntent => Object.assign(intent(id), { status: 'requires_payment_method', last_payment_error: { code: 'card_declined' } }),
  };
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;

let eventSequence = 0;

/** A Stripe event about an intent, as Stripe sends it, and its Stripe-Signature header (signed now unless told otherwise). */
export function stripeEvent(type: string, object: object, options: { id?: string; secret?: string; timestamp?: number } = {}) {
  eventSequence += 1;
  const payload = JSON.stringify({
    id: options.id ?? `evt_fake${eventSequence}_${Date.now()}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    type,
    data: { object },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload,
    secret: options.secret ?? FAKE_WEBHOOK_SECRET,
    ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  });
  return { payload, signature };
}

function refusal(status: number, code: string): { status: number; body: unknown } {
  return { status, body: { error: { type: 'invalid_request_error', code, message: `Refused by the fake Stripe: ${code}` } } };
}
