import { type FormEvent, useState } from 'react';
import { type Schemas, api, ask } from '../api';
import { time } from '../format';
import { go, pageOf, queryOf, useRoute, withQuery } from '../router';
import { Field, FormButtons, Loaded, Notice, Pager, Select, Table, useAction, useLoad } from '../ui';

type EventType = Exclude<Schemas['CreateWebhookEndpointBody']['events'][number], '*'>;
type Events = Schemas['CreateWebhookEndpointBody']['events'];
type DeliveryStatus = Schemas['WebhookDelivery']['status'];

const EVENT_TYPES: EventType[] = [
  'order.placed', 'order.paid', 'order.shipped', 'order.delivered', 'order.cancelled', 'order.refunded',
  'payment.captured', 'payment.failed', 'customer.created', 'customer.password_reset_requested', 'product.out_of_stock', 'ping',
];

/** A secret the API shows only once: say so, and let the admin copy it before it goes. */
function SecretOnce({ secret, onClose }: { secret: string; onClose: () => void }) {
  return (
    <section className="card secret" aria-label="Signing secret" role="alert">
      <h2>Signing secret</h2>
      <p>Copy it now: it is shown only this once. Your receiver verifies every delivery's signature with it.</p>
      <p>
        <code className="secret-value">{secret}</code>
      </p>
      <button type="button" onClick={onClose}>
        I have saved the secret
      </button>
    </section>
  );
}

export function Webhooks() {
  const endpoints = useLoad(() => ask(api.GET('/webhook-endpoints')), 'webhook-endpoints');
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string>();

  return (
    <>
      <h1 tabIndex={-1}>Webhooks</h1>
      {secret && <SecretOnce secret={secret} onClose={() => setSecret(undefined)} />}
      <p>
        <button type="button" onClick={() => setCreating(true)}>
          New endpoint
        </button>
      </p>
      {creating && (
        <EndpointForm
          onDone={(created) => {
            setCreating(false);
            if (created) {
              setSecret(created.secret);
              endpoints.reload();
            }
          }}
        />
      )}
      <Loaded state={endpoints}>
        {(list) => (
          <Table caption="Webhook endpoints" head={['URL', 'Events', 'Active', 'Created']}>
            {list.map((endpoint) => (
              <tr key={endpoint.id}>
                <td>
                  <a href={`#/webhooks/${endpoint.id}`}>{endpoint.url}</a>
                  {endpoint.description && <small className="muted"> · {endpoint.description}</small>}
                </td>
                <td>{endpoint.events.join(', ')}</td>
                <td>{endpoint.active ? 'yes' : `no${endpoint.disabled_reason ? ` (${endpoint.disabled_reason})` : ''}`}</td>
                <td>{time(endpoint.created_at)}</td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
    </>
  );
}

function EndpointForm({ onDone }: { onDone: (created: Schemas['CreatedWebhookEndpoint'] | undefined) => void }) {
  const [url, setUrl] = useState('https://');
  const [description, setDescription] = useState('');
  const [all, setAll] = useState(true);
  const [chosen, setChosen] = useState<EventType[]>([]);
  const action = useAction();
  const errors = action.trouble?.fields ?? {};

  async function save(event: FormEvent) {
    event.preventDefault();
    const events: Events = all ? ['*'] : chosen;
    const created = await action.run(
      () => ask(api.POST('/webhook-endpoints', { body: { url, events, ...(description.trim() ? { description } : {}) } })),
      (e) => `Created the endpoint for ${e.url}.`,
    );
    if (created) onDone(created);
  }

  return (
    <form className="card" onSubmit={save} noValidate aria-label="New webhook endpoint">
      <h2>New webhook endpoint</h2>
      <Field label="URL" name="url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} error={errors.url} />
      <Field label="Description" name="description" value={description} onChange={(e) => setDescription(e.target.value)} error={errors.description} />
      <fieldset>
        <legend>Events</legend>
        <Field label="Every event (but password resets, which go only where named)" name="all" type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
        {!all &&
          EVENT_TYPES.map((type) => (
            <Field
              key={type}
              label={type}
              name={type}
              type="checkbox"
              checked={chosen.includes(type)}
              onChange={(e) => setChosen(e.target.checked ? [...chosen, type] : chosen.filter((t) => t !== type))}
            />
          ))}
        {errors.events && <small className="error">{errors.events}</small>}
      </fieldset>
      <Notice state={action} />
      <FormButtons busy={action.busy} submit="Create endpoint" onClose={() => onDone(undefined)} />
    </form>
  );
}

export function Webhook({ id }: { id: number }) {
  const path = useRoute();
  const query = queryOf(path);
  const page = pageOf(query);
  const status = (query.get('status') ?? '') as DeliveryStatus | '';
  const endpoint = useLoad(() => ask(api.GET('/webhook-endpoints/{id}', { params: { path: { id } } })), `endpoint-${id}`);
  const deliveries = useLoad(
    () => ask(api.GET('/webhook-endpoints/{id}/deliveries', { params: { path: { id }, query: { page, per_page: 20, ...(status ? { status } : {}) } } })),
    path,
  );
  const action = useAction();
  const [secret, setSecret] = useState<string>();

  async function test() {
    const done = await action.run(() => ask(api.POST('/webhook-endpoints/{id}/test', { params: { path: { id } } })), (d) => `A ping is on its way (delivery ${d.delivery_id}).`);
    if (done) deliveries.reload();
  }
  async function rotate() {
    const done = await action.run(() => ask(api.POST('/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } } })), () => 'A new secret: for 24 hours deliveries are signed with both.');
    if (done) setSecret(done.secret);
  }
  async function setActive(active: boolean) {
    const done = await action.run(() => ask(api.PUT('/webhook-endpoints/{id}', { params: { path: { id } }, body: { active } })), (e) => (e.active ? 'Enabled.' : 'Disabled: nothing is sent to it.'));
    if (done) endpoint.reload();
  }
  async function remove() {
    const done = await action.run(() => ask(api.DELETE('/webhook-endpoints/{id}', { params: { path: { id } } })), (answer) => answer.message);
    if (done) go('/webhooks');
  }
  async function redeliver(delivery: number) {
    const done = await action.run(() => ask(api.POST('/webhook-deliveries/{id}/redeliver', { params: { path: { id: delivery } } })), () => `Delivery ${delivery} is tried again now.`);
    if (done) deliveries.reload();
  }

  return (
    <>
      <h1 tabIndex={-1}>Webhook endpoint {id}</h1>
      <p>
        <a href="#/webhooks">Back to the endpoints</a>
      </p>
      {secret && <SecretOnce secret={secret} onClose={() => setSecret(undefined)} />}
      <Notice state={action} />
      <Loaded state={endpoint}>
        {(e) => (
          <>
            <dl className="facts">
              <dt>URL</dt>
              <dd>{e.url}</dd>
              <dt>Events</dt>
              <dd>{e.events.join(', ')}</dd>
              <dt>Active</dt>
              <dd>{e.active ? 'yes' : `no${e.disabled_reason ? ` (${e.disabled_reason})` : ''}`}</dd>
            </dl>
            <div className="buttons">
              <button type="button" onClick={test} disabled={action.busy}>
                Send a test ping
              </button>
              <button type="button" onClick={rotate} disabled={action.busy}>
                Rotate the secret
              </button>
              <button type="button" onClick={() => setActive(!e.active)} disabled={action.busy}>
                {e.active ? 'Disable' : 'Enable'}
              </button>
              <button type="button" className="danger" onClick={remove} disabled={action.busy}>
                Delete endpoint
              </button>
            </div>
          </>
        )}
      </Loaded>
      <h2>Deliveries</h2>
      <form
        className="filters"
        key={path}
        aria-label="Filter deliveries"
        onSubmit={(event) => {
          event.preventDefault();
          go(withQuery(`/webhooks/${id}`, { status: String(new FormData(event.currentTarget).get('status') ?? '') }));
        }}
      >
        <Select label="Status" name="status" defaultValue={status} options={[['', 'Any'], ['pending', 'pending'], ['succeeded', 'succeeded'], ['failed', 'failed']]} />
        <button type="submit">Show</button>
      </form>
      <Loaded state={deliveries}>
        {(result) => (
          <>
            <Table caption="Deliveries, newest first" head={['Event', 'Status', 'Attempts', 'Last attempt', 'Answer', 'Actions']}>
              {result.items.map((d) => (
                <tr key={d.id}>
                  <td>
                    {d.event_type} <small className="muted">{d.event_id}</small>
                  </td>
                  <td>{d.status}</td>
                  <td className="num">{d.attempts}</td>
                  <td>{time(d.last_attempt_at)}</td>
                  <td>{d.last_status_code ?? d.last_error ?? '—'}</td>
                  <td>
                    <button type="button" aria-label={`Redeliver ${d.event_type} ${d.id}`} onClick={() => redeliver(d.id)}>
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </Table>
            {result.items.length === 0 && <p>No delivery yet.</p>}
            <Pager page={result.page} pages={result.pages} total={result.total} noun="deliveries" onPage={(n) => go(withQuery(`/webhooks/${id}`, { status, page: n }))} />
          </>
        )}
      </Loaded>
    </>
  );
}
