import { type FormEvent, useState } from 'react';
import { type Schemas, api, ask } from '../api';
import { money } from '../format';
import { go, pageOf, queryOf, useRoute, withQuery } from '../router';
import { type EditorProps, Field, FormButtons, Loaded, OpenEditor, Notice, Pager, Select, Table, isNumber, numberOrUndefined, useAction, useLoad } from '../ui';

type Product = Schemas['Product'];
type Sort = 'id' | 'price' | '-price' | 'product_name' | '-created_at';

const SORTS: [Sort, string][] = [
  ['id', 'Oldest first'],
  ['-created_at', 'Newest first'],
  ['product_name', 'Name'],
  ['price', 'Price, lowest first'],
  ['-price', 'Price, highest first'],
];
const PER_PAGE = 20;

export function Products() {
  const path = useRoute();
  const query = queryOf(path);
  const page = pageOf(query);
  const q = query.get('q') ?? '';
  const sort = (query.get('sort') ?? 'id') as Sort;
  const list = useLoad(() => ask(api.GET('/products/p', { params: { query: { page, per_page: PER_PAGE, sort, ...(q ? { q } : {}) } } })), path);
  const [editing, setEditing] = useState<Product | 'new'>();
  const [deleting, setDeleting] = useState<Product>();
  const action = useAction();

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    go(withQuery('/products', { q: String(form.get('q') ?? ''), sort: String(form.get('sort') ?? '') }));
  }
  async function remove(product: Product) {
    const done = await action.run(() => ask(api.DELETE('/products/{id}', { params: { path: { id: product.id } } })), (answer) => `${product.product_name}: ${answer.message}`);
    setDeleting(undefined);
    if (done) list.reload();
  }

  return (
    <>
      <h1 tabIndex={-1}>Products</h1>
      <form className="filters" onSubmit={search} aria-label="Search products" key={path}>
        <Field label="Search by name" name="q" type="search" defaultValue={q} />
        <Select label="Sort" name="sort" defaultValue={sort} options={SORTS} />
        <button type="submit">Search</button>
      </form>
      <p>
        <button type="button" onClick={() => { action.clear(); setEditing('new'); }}>
          New product
        </button>
      </p>
      <Notice state={action} />
      <OpenEditor editing={editing} Editor={ProductForm} close={() => setEditing(undefined)} saved={(message) => { action.say(message); list.reload(); }} />
      <Loaded state={list}>
        {(result) => (
          <>
            <Table caption="Products" head={['Product', 'Price', 'Stock', 'Shipping', 'Actions']}>
              {result.items.map((product) => (
                <tr key={product.id}>
                  <td>
                    {product.product_name}
                    {product.description && <small className="muted"> · {product.description}</small>}
                  </td>
                  <td className="num">{money(product.price)}</td>
                  <td className="num">{product.stock ?? 'not tracked'}</td>
                  <td>{product.requires_shipping ? 'ships' : 'no shipping'}</td>
                  <td className="row-actions">
                    {deleting?.id === product.id ? (
                      <>
                        <span>Delete {product.product_name}?</span>
                        <button type="button" className="danger" onClick={() => remove(product)}>
                          Yes, delete
                        </button>
                        <button type="button" onClick={() => setDeleting(undefined)}>
                          Keep it
                        </button>
                      </>
                    ) : (
                      <>
                        <button type="button" onClick={() => { action.clear(); setEditing(product); }} aria-label={`Edit ${product.product_name}`}>
                          Edit
                        </button>
                        <button type="button" className="danger" onClick={() => setDeleting(product)} aria-label={`Delete ${product.product_name}`}>
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
            {result.items.length === 0 && <p>No product matches.</p>}
            <Pager page={result.page ?? page} pages={result.pages} total={result.total} noun="products" onPage={(n) => go(withQuery('/products', { q, sort, page: n }))} />
          </>
        )}
      </Loaded>
    </>
  );
}

/** Create (no product) or edit one; the API's validation messages stand beside their fields. */
function ProductForm({ item: product, onDone }: EditorProps<Product>) {
  const [name, setName] = useState(product?.product_name ?? '');
  const [price, setPrice] = useState(product ? String(product.price) : '');
  const [description, setDescription] = useState(product?.description ?? '');
  const [stock, setStock] = useState(product?.stock === null || product?.stock === undefined ? '' : String(product.stock));
  const [ships, setShips] = useState(product?.requires_shipping ?? true);
  const action = useAction();

  const [local, setLocal] = useState<Record<string, string>>({});
  const errors = { ...(action.trouble?.fields ?? {}), ...local };

  async function save(event: FormEvent) {
    event.preventDefault();
    // What is not a number at all is said here; every other rule (two decimals, limits) the API checks.
    const notNumbers: Record<string, string> = {};
    if (!isNumber(price)) notNumbers.price = 'must be a number, like 12.50';
    if (stock.trim() !== '' && !isNumber(stock)) notNumbers.stock = 'must be a whole number, or blank';
    setLocal(notNumbers);
    if (Object.keys(notNumbers).length > 0) return;
    const body = {
      product_name: name,
      price: Number(price),
      description: description.trim() === '' ? null : description,
      stock: numberOrUndefined(stock) ?? null,
      requires_shipping: ships,
    };
    const said = (p: Product) => (product ? `Saved ${p.product_name}.` : `Created ${p.product_name} (#${p.id}).`);
    const saved = product
      ? await action.run(() => ask(api.PUT('/products/{id}', { params: { path: { id: product.id } }, body })), said)
      : await action.run(() => ask(api.POST('/products', { body })), said);
    if (saved) onDone(said(saved));
  }

  return (
    <form className="card" onSubmit={save} noValidate aria-label={product ? `Edit ${product.product_name}` : 'New product'}>
      <h2>{product ? `Edit ${product.product_name}` : 'New product'}</h2>
      <Field label="Name" name="product_name" value={name} onChange={(e) => setName(e.target.value)} error={errors.product_name} />
      <Field label="Price" name="price" inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} error={errors.price} />
      <Field label="Description" name="description" value={description} onChange={(e) => setDescription(e.target.value)} error={errors.description} />
      <Field label="Stock" name="stock" inputMode="numeric" hint="Blank: not tracked, never runs out" value={stock} onChange={(e) => setStock(e.target.value)} error={errors.stock} />
      <Field label="Needs shipping" name="requires_shipping" type="checkbox" checked={ships} onChange={(e) => setShips(e.target.checked)} error={errors.requires_shipping} />
      <Notice state={action} />
      <FormButtons busy={action.busy} submit={product ? 'Save product' : 'Create product'} onClose={() => onDone(undefined)} />
    </form>
  );
}
