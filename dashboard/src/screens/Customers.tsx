import { type FormEvent, useState } from 'react';
import { api, ask } from '../api';
import { time } from '../format';
import { go, pageOf, queryOf, useRoute, withQuery } from '../router';
import { OrdersTable } from './Orders';
import { Field, Loaded, Notice, Pager, Table, useAction, useLoad } from '../ui';

const PER_PAGE = 20;
const ROLES: Record<number, string> = { 1: 'admin', 2: 'customer' };

export function Customers() {
  const path = useRoute();
  const query = queryOf(path);
  const page = pageOf(query);
  const q = query.get('q') ?? '';
  const list = useLoad(() => ask(api.GET('/customers/p', { params: { query: { page, per_page: PER_PAGE, ...(q ? { q } : {}) } } })), path);

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    go(withQuery('/customers', { q: String(new FormData(event.currentTarget).get('q') ?? '') }));
  }

  return (
    <>
      <h1 tabIndex={-1}>Customers</h1>
      <form className="filters" onSubmit={search} aria-label="Search customers" key={path}>
        <Field label="Search (name, username or email)" name="q" type="search" defaultValue={q} error={list.trouble?.fields.q} />
        <button type="submit">Search</button>
      </form>
      <Loaded state={list}>
        {(result) => (
          <>
            <Table caption="Customers" head={['Name', 'Username', 'Email', 'Role', 'Since']}>
              {result.items.map((customer) => (
                <tr key={customer.id}>
                  <td>
                    <a href={`#/customers/${customer.id}`}>{customer.customer_name}</a>
                  </td>
                  <td>{customer.username}</td>
                  <td>{customer.email}</td>
                  <td>{ROLES[customer.role_id]}</td>
                  <td>{time(customer.created_at)}</td>
                </tr>
              ))}
            </Table>
            {result.items.length === 0 && <p>No customer matches.</p>}
            <Pager page={result.page} pages={result.pages} total={result.total} noun="customers" onPage={(n) => go(withQuery('/customers', { q, page: n }))} />
          </>
        )}
      </Loaded>
    </>
  );
}

export function Customer({ id }: { id: number }) {
  const path = useRoute();
  const page = pageOf(queryOf(path));
  const customer = useLoad(() => ask(api.GET('/customers/{id}', { params: { path: { id } } })), `customer-${id}`);
  const addresses = useLoad(() => ask(api.GET('/customers/{id}/addresses', { params: { path: { id } } })), `addresses-${id}`);
  const orders = useLoad(() => ask(api.GET('/orders/p', { params: { query: { customer_id: id, page, per_page: 10 } } })), `orders-${id}-${page}`);
  const action = useAction();
  const [confirming, setConfirming] = useState(false);

  async function setRole(role_id: 1 | 2) {
    const done = await action.run(() => ask(api.PUT('/customers/{id}', { params: { path: { id } }, body: { role_id } })), (c) => `${c.customer_name} is now ${ROLES[c.role_id]}.`);
    if (done) customer.reload();
  }
  async function remove() {
    const done = await action.run(() => ask(api.DELETE('/customers/{id}', { params: { path: { id } } })), (answer) => answer.message);
    setConfirming(false);
    if (done) go('/customers');
  }

  return (
    <>
      <h1 tabIndex={-1}>Customer {id}</h1>
      <p>
        <a href="#/customers">Back to the customers</a>
      </p>
      <Notice state={action} />
      <Loaded state={customer}>
        {(c) => (
          <>
            <dl className="facts">
              <dt>Name</dt>
              <dd>{c.customer_name}</dd>
              <dt>Username</dt>
              <dd>{c.username}</dd>
              <dt>Email</dt>
              <dd>{c.email}</dd>
              <dt>Phone</dt>
              <dd>{c.phone ?? '—'}</dd>
              <dt>Role</dt>
              <dd>{ROLES[c.role_id]}</dd>
              <dt>Since</dt>
              <dd>{time(c.created_at)}</dd>
            </dl>
            <div className="buttons">
              {c.role_id === 2 ? (
                <button type="button" disabled={action.busy} onClick={() => setRole(1)}>
                  Make admin
                </button>
              ) : (
                <button type="button" disabled={action.busy} onClick={() => setRole(2)}>
                  Make customer
                </button>
              )}
              {confirming ? (
                <>
                  <span>Delete {c.customer_name}? Their orders are kept.</span>
                  <button type="button" className="danger" onClick={remove}>
                    Yes, delete
                  </button>
                  <button type="button" onClick={() => setConfirming(false)}>
                    Keep
                  </button>
                </>
              ) : (
                <button type="button" className="danger" onClick={() => setConfirming(true)}>
                  Delete customer
                </button>
              )}
            </div>
          </>
        )}
      </Loaded>
      <h2>Addresses</h2>
      <Loaded state={addresses}>
        {(list) =>
          list.length === 0 ? (
            <p>No saved address.</p>
          ) : (
            <ul>
              {list.map((a) => (
                <li key={a.id}>
                  {a.first_name} {a.last_name}, {a.line1}, {a.postal_code} {a.city}, {a.country_code}
                  {a.is_default ? ' (default)' : ''}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <h2>Orders</h2>
      <Loaded state={orders}>
        {(result) => (
          <>
            <OrdersTable caption="The customer's orders" orders={result.items} />
            <Pager page={result.page} pages={result.pages} total={result.total} noun="orders" onPage={(n) => go(withQuery(`/customers/${id}`, { page: n }))} />
          </>
        )}
      </Loaded>
    </>
  );
}
