import { type FormEvent, useState } from 'react';
import { type Schemas, api, ask } from '../api';
import { money, time } from '../format';
import { go, pageOf, queryOf, useRoute, withQuery } from '../router';
import { Payments } from './Payments';
import { Field, Loaded, Notice, Pager, Select, Table, numberOrUndefined, useAction, useLoad } from '../ui';

type Order = Schemas['Order'];
type Status = Order['status'];

type PaymentStatus = Order['payment_status'];

const STATUSES: Status[] = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'];
const PAYMENT_STATUSES: PaymentStatus[] = ['unpaid', 'authorized', 'paid', 'partially_refunded', 'refunded'];
const PER_PAGE = 20;

export function Orders() {
  const path = useRoute();
  const query = queryOf(path);
  const page = pageOf(query);
  const status = (query.get('status') ?? '') as Status | '';
  const paymentStatus = (query.get('payment_status') ?? '') as PaymentStatus | '';
  const guest = query.get('guest') ?? '';
  const customer = query.get('customer_id') ?? '';
  const q = query.get('q') ?? '';
  const list = useLoad(
    () =>
      ask(
        api.GET('/orders/p', {
          params: {
            query: {
              page,
              per_page: PER_PAGE,
              ...(status ? { status } : {}),
              ...(paymentStatus ? { payment_status: paymentStatus } : {}),
              ...(guest ? { guest: guest === 'true' } : {}),
              ...(customer ? { customer_id: numberOrUndefined(customer) } : {}),
              ...(q ? { q } : {}),
            },
          },
        }),
      ),
    path,
  );
  const filters = { status, payment_status: paymentStatus, guest, customer_id: customer, q };

  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    go(withQuery('/orders', Object.fromEntries([...form.entries()].map(([name, value]) => [name, String(value)]))));
  }

  return (
    <>
      <h1 tabIndex={-1}>Orders</h1>
      <form className="filters" onSubmit={filter} aria-label="Filter orders" key={path}>
        <Field label="Search (order number or email)" name="q" type="search" defaultValue={q} error={list.trouble?.fields.q} />
        <Select label="Status" name="status" defaultValue={status} options={[['', 'Any status'], ...STATUSES.map((s): [string, string] => [s, s])]} />
        <Select label="Payment" name="payment_status" defaultValue={paymentStatus} options={[['', 'Any payment status'], ...PAYMENT_STATUSES.map((s): [string, string] => [s, s.replace('_', ' ')])]} />
        <Select label="Buyer" name="guest" defaultValue={guest} options={[['', 'Guests and customers'], ['true', 'Guests only'], ['false', 'Customers only']]} />
        <Field label="Customer id" name="customer_id" inputMode="numeric" defaultValue={customer} error={list.trouble?.fields.customer_id} />
        <button type="submit">Apply filters</button>
      </form>
      <Loaded state={list}>
        {(result) => (
          <>
            <OrdersTable caption="Orders, newest first" orders={result.items} withBuyer />
            {result.items.length === 0 && <p>No order matches these filters.</p>}
            <Pager page={result.page} pages={result.pages} total={result.total} noun="orders" onPage={(n) => go(withQuery('/orders', { ...filters, page: n }))} />
          </>
        )}
      </Loaded>
    </>
  );
}

/** A page of orders as a table; the buyer column where the orders are not all one customer's. */
export function OrdersTable({ caption, orders, withBuyer = false }: { caption: string; orders: Order[]; withBuyer?: boolean }) {
  return (
    <Table caption={caption} head={['Order', 'Placed', ...(withBuyer ? ['Buyer'] : []), 'Status', 'Payment', 'Total']}>
      {orders.map((order) => (
        <tr key={order.id}>
          <td>
            <a href={`#/orders/${order.id}`}>Order #{order.id}</a>
          </td>
          <td>{time(order.created_at)}</td>
          {withBuyer && (
            <td>{order.customer_id === null ? `Guest ${order.email ?? ''}` : <a href={`#/customers/${order.customer_id}`}>{order.email ?? `Customer ${order.customer_id}`}</a>}</td>
          )}
          <td>
            <span className={`status ${order.status}`}>{order.status}</span>
          </td>
          <td>{order.payment_status.replace('_', ' ')}</td>
          <td className="num">{money(order.total, order.currency)}</td>
        </tr>
      ))}
    </Table>
  );
}

function Address({ title, address }: { title: string; address: Order['shipping_address'] }) {
  return (
    <section>
      <h3>{title}</h3>
      {address ? (
        <address>
          {address.first_name} {address.last_name}
          {address.company && <>, {address.company}</>}
          <br />
          {address.line1}
          {address.line2 && <>, {address.line2}</>}
          <br />
          {address.postal_code} {address.city} {address.region_code} {address.country_code}
        </address>
      ) : (
        <p>None</p>
      )}
    </section>
  );
}

export function Order({ id }: { id: number }) {
  const order = useLoad(() => ask(api.GET('/orders/{id}', { params: { path: { id } } })), `order-${id}`);
  const history = useLoad(() => ask(api.GET('/orders/track/{id}', { params: { path: { id } } })), `track-${id}`);
  const action = useAction();
  const [tracking, setTracking] = useState('');
  const [round, setRound] = useState(0);

  async function move(body: Schemas['ChangeStatusBody']) {
    const done = await action.run(() => ask(api.POST('/orders/{id}/status', { params: { path: { id } }, body })), (o) => `Order #${o.id} is now ${o.status}.`);
    if (done) refresh();
  }
  /** `refund`: what becomes of money already captured (refunded, or kept); left out when there is none. */
  async function cancel(refund?: boolean) {
    const body = refund === undefined ? {} : { refund };
    const done = await action.run(
      () => ask(api.POST('/orders/{id}/cancel', { params: { path: { id } }, body })),
      (o) => `Order #${o.id} is now ${o.status}; its stock is back${o.amount_refunded > 0 ? `, ${money(o.amount_refunded, o.currency)} refunded` : ''}.`,
    );
    if (done) refresh();
  }
  function refresh() {
    order.reload();
    history.reload();
    setRound((n) => n + 1);
  }

  return (
    <>
      <h1 tabIndex={-1}>Order #{id}</h1>
      <p>
        <a href="#/orders">Back to the orders</a>
      </p>
      <Loaded state={order}>
        {(o) => (
          <>
            <p>
              Status: <span className={`status ${o.status}`}>{o.status}</span> · payment {o.payment_status.replace('_', ' ')} (paid {money(o.amount_paid, o.currency)}, refunded {money(o.amount_refunded, o.currency)}) · placed {time(o.created_at)} · {o.customer_id === null ? 'guest' : <a href={`#/customers/${o.customer_id}`}>customer {o.customer_id}</a>} · {o.email}
            </p>
            <section className="actions" aria-label="Actions">
              <h2>Actions</h2>
              <Notice state={action} />
              {o.status === 'pending' && (
                <button type="button" disabled={action.busy} onClick={() => move({ status: 'paid' })}>
                  Mark paid
                </button>
              )}
              {o.status === 'paid' && (
                <form
                  className="inline"
                  onSubmit={(event) => {
                    event.preventDefault();
                    move({ status: 'shipped', ...(tracking.trim() ? { tracking_number: tracking.trim() } : {}) });
                  }}
                >
                  <Field label="Tracking number" name="tracking_number" value={tracking} onChange={(e) => setTracking(e.target.value)} error={action.trouble?.fields.tracking_number} />
                  <button type="submit" disabled={action.busy}>
                    Ship
                  </button>
                </form>
              )}
              {o.status === 'shipped' && (
                <button type="button" disabled={action.busy} onClick={() => move({ status: 'delivered' })}>
                  Mark delivered
                </button>
              )}
              {(o.status === 'pending' || o.status === 'paid') &&
                (o.amount_paid > o.amount_refunded ? (
                  <>
                    <button type="button" className="danger" disabled={action.busy} onClick={() => cancel(true)}>
                      Cancel and refund {money(Math.round((o.amount_paid - o.amount_refunded) * 100) / 100, o.currency)}
                    </button>
                    <button type="button" className="danger" disabled={action.busy} onClick={() => cancel(false)}>
                      Cancel, keep the money
                    </button>
                  </>
                ) : (
                  <button type="button" className="danger" disabled={action.busy} onClick={() => cancel()}>
                    Cancel order
                  </button>
                ))}
              {(o.status === 'delivered' || o.status === 'cancelled') && <p>Nothing more to do: the order is {o.status}.</p>}
            </section>
            <Payments orderId={id} round={round} onChanged={refresh} />
            <h2>Items</h2>
            <Table caption="Items" head={['Product', 'Unit price', 'Quantity', 'Tax', 'Line total']}>
              {o.items.map((item) => (
                <tr key={item.product_id}>
                  <td>{item.product_name}</td>
                  <td className="num">{money(item.unit_price, o.currency)}</td>
                  <td className="num">{item.quantity}</td>
                  <td className="num">{money(item.tax, o.currency)}</td>
                  <td className="num">{money(item.line_total, o.currency)}</td>
                </tr>
              ))}
            </Table>
            <h2>Money</h2>
            <dl className="money">
              <dt>Subtotal</dt>
              <dd>{money(o.subtotal, o.currency)}</dd>
              <dt>Shipping{o.shipping ? ` (${o.shipping.name})` : ''}</dt>
              <dd>{money(o.shipping_total, o.currency)}</dd>
              <dt>Tax{o.tax ? ` (${o.tax.name}, ${o.tax.rate} %)` : ''}{o.prices_include_tax ? ', included in prices' : ''}</dt>
              <dd>{money(o.tax_total, o.currency)}</dd>
              <dt>Total</dt>
              <dd>
                <strong>{money(o.total, o.currency)}</strong>
              </dd>
            </dl>
            <div className="columns">
              <Address title="Shipping address" address={o.shipping_address} />
              <Address title="Billing address" address={o.billing_address} />
            </div>
            {o.note && (
              <p>
                Customer's note: <q>{o.note}</q>
              </p>
            )}
          </>
        )}
      </Loaded>
      <h2>History</h2>
      <Loaded state={history}>
        {(h) => (
          <>
            {h.tracking_number && <p>Tracking number: {h.tracking_number}</p>}
            <ol className="history">
              {h.history.map((step, i) => (
                <li key={i}>
                  <time dateTime={step.at}>{time(step.at)}</time>: {step.status}
                  {step.note ? ` (${step.note})` : ''}
                </li>
              ))}
            </ol>
          </>
        )}
      </Loaded>
    </>
  );
}
