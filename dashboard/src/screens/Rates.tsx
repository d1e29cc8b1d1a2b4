import { type FormEvent, useState } from 'react';
import { type Schemas, api, ask } from '../api';
import { money, time } from '../format';
import { Field, Loaded, Notice, Table, isNumber, numberOrUndefined, useAction, useLoad } from '../ui';

type ShippingRate = Schemas['ShippingRate'];
type TaxRate = Schemas['TaxRate'];
// Country codes are the user's text here; the API refuses what is not an assigned code, beside the field.
type Country = Schemas['CreateTaxRateBody']['country_code'];
type Countries = Schemas['CreateShippingRateBody']['countries'];

function countriesOf(text: string): Countries {
  const codes = text.split(/[\s,]+/).filter(Boolean).map((code) => code.toUpperCase());
  return (codes.length === 1 && codes[0] === '*' ? ['*'] : codes) as Countries;
}

/** Blank → null (no bound); a number → itself; other text stays a local error. */
function bound(text: string): number | null {
  return numberOrUndefined(text) ?? null;
}

export function ShippingRates() {
  const rates = useLoad(() => ask(api.GET('/shipping-rates')), 'shipping-rates');
  const [editing, setEditing] = useState<ShippingRate | 'new'>();
  const action = useAction();

  async function remove(rate: ShippingRate) {
    const done = await action.run(() => ask(api.DELETE('/shipping-rates/{id}', { params: { path: { id: rate.id } } })), (answer) => `${rate.name}: ${answer.message}`);
    if (done) rates.reload();
  }

  return (
    <>
      <h1 tabIndex={-1}>Shipping rates</h1>
      <p>
        <button type="button" onClick={() => { action.clear(); setEditing('new'); }}>
          New shipping rate
        </button>
      </p>
      <Notice state={action} />
      {editing && <ShippingForm key={editing === 'new' ? 'new' : editing.id} rate={editing === 'new' ? undefined : editing} onDone={(saved) => { setEditing(undefined); if (saved) { action.say(saved); rates.reload(); } }} />}
      <Loaded state={rates}>
        {(list) => (
          <Table caption="Shipping rates" head={['Name', 'Price', 'Countries', 'Subtotal from', 'up to', 'Active', 'Actions']}>
            {list.map((rate) => (
              <tr key={rate.id}>
                <td>{rate.name}</td>
                <td className="num">{money(rate.price)}</td>
                <td>{rate.countries.join(', ')}</td>
                <td className="num">{money(rate.min_subtotal)}</td>
                <td className="num">{money(rate.max_subtotal)}</td>
                <td>{rate.active ? 'yes' : 'no'}</td>
                <td className="row-actions">
                  <button type="button" aria-label={`Edit ${rate.name}`} onClick={() => { action.clear(); setEditing(rate); }}>
                    Edit
                  </button>
                  <button type="button" className="danger" aria-label={`Delete ${rate.name}`} onClick={() => remove(rate)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
    </>
  );
}

function ShippingForm({ rate, onDone }: { rate: ShippingRate | undefined; onDone: (saved: string | undefined) => void }) {
  const [name, setName] = useState(rate?.name ?? '');
  const [price, setPrice] = useState(rate ? String(rate.price) : '');
  const [countries, setCountries] = useState(rate?.countries.join(', ') ?? '*');
  const [min, setMin] = useState(rate?.min_subtotal == null ? '' : String(rate.min_subtotal));
  const [max, setMax] = useState(rate?.max_subtotal == null ? '' : String(rate.max_subtotal));
  const [active, setActive] = useState(rate?.active ?? true);
  const [local, setLocal] = useState<Record<string, string>>({});
  const action = useAction();
  const errors = { ...(action.trouble?.fields ?? {}), ...local };

  async function save(event: FormEvent) {
    event.preventDefault();
    const wrong: Record<string, string> = {};
    if (!isNumber(price)) wrong.price = 'must be a number, like 4.99';
    if (min.trim() && !isNumber(min)) wrong.min_subtotal = 'must be a number, or blank';
    if (max.trim() && !isNumber(max)) wrong.max_subtotal = 'must be a number, or blank';
    setLocal(wrong);
    if (Object.keys(wrong).length > 0) return;
    const body = { name, price: Number(price), countries: countriesOf(countries), min_subtotal: bound(min), max_subtotal: bound(max), active };
    const said = (r: ShippingRate) => `${rate ? 'Saved' : 'Created'} ${r.name}.`;
    const saved = rate
      ? await action.run(() => ask(api.PUT('/shipping-rates/{id}', { params: { path: { id: rate.id } }, body })), said)
      : await action.run(() => ask(api.POST('/shipping-rates', { body })), said);
    if (saved) onDone(said(saved));
  }

  return (
    <form className="card" onSubmit={save} noValidate aria-label={rate ? `Edit ${rate.name}` : 'New shipping rate'}>
      <h2>{rate ? `Edit ${rate.name}` : 'New shipping rate'}</h2>
      <Field label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Field label="Price" name="price" inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} error={errors.price} />
      <Field label="Countries" name="countries" hint="Codes like DE, FR, US separated by commas; * for everywhere" value={countries} onChange={(e) => setCountries(e.target.value)} error={errors.countries ?? errors['countries.0']} />
      <Field label="Subtotal from" name="min_subtotal" inputMode="decimal" hint="Blank: no lower bound" value={min} onChange={(e) => setMin(e.target.value)} error={errors.min_subtotal} />
      <Field label="Subtotal up to" name="max_subtotal" inputMode="decimal" hint="Blank: no upper bound" value={max} onChange={(e) => setMax(e.target.value)} error={errors.max_subtotal} />
      <Field label="Active" name="active" type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
      <Notice state={action} />
      <div className="buttons">
        <button type="submit" disabled={action.busy}>
          {rate ? 'Save rate' : 'Create rate'}
        </button>
        <button type="button" onClick={() => onDone(undefined)}>
          Close
        </button>
      </div>
    </form>
  );
}

export function TaxRates() {
  const rates = useLoad(() => ask(api.GET('/tax-rates')), 'tax-rates');
  const [editing, setEditing] = useState<TaxRate | 'new'>();
  const action = useAction();

  async function remove(rate: TaxRate) {
    const done = await action.run(() => ask(api.DELETE('/tax-rates/{id}', { params: { path: { id: rate.id } } })), (answer) => `${rate.name}: ${answer.message}`);
    if (done) rates.reload();
  }

  return (
    <>
      <h1 tabIndex={-1}>Tax rates</h1>
      <p>
        <button type="button" onClick={() => { action.clear(); setEditing('new'); }}>
          New tax rate
        </button>
      </p>
      <Notice state={action} />
      {editing && <TaxForm key={editing === 'new' ? 'new' : editing.id} rate={editing === 'new' ? undefined : editing} onDone={(saved) => { setEditing(undefined); if (saved) { action.say(saved); rates.reload(); } }} />}
      <Loaded state={rates}>
        {(list) => (
          <Table caption="Tax rates" head={['Name', 'Country', 'Region', 'Rate', 'On shipping', 'Changed', 'Actions']}>
            {list.map((rate) => (
              <tr key={rate.id}>
                <td>{rate.name}</td>
                <td>{rate.country_code}</td>
                <td>{rate.region_code ?? 'whole country'}</td>
                <td className="num">{rate.rate} %</td>
                <td>{rate.applies_to_shipping ? 'yes' : 'no'}</td>
                <td>{time(rate.updated_at)}</td>
                <td className="row-actions">
                  <button type="button" aria-label={`Edit ${rate.name}`} onClick={() => { action.clear(); setEditing(rate); }}>
                    Edit
                  </button>
                  <button type="button" className="danger" aria-label={`Delete ${rate.name}`} onClick={() => remove(rate)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Loaded>
    </>
  );
}

function TaxForm({ rate, onDone }: { rate: TaxRate | undefined; onDone: (saved: string | undefined) => void }) {
  const [name, setName] = useState(rate?.name ?? '');
  const [country, setCountry] = useState(rate?.country_code ?? '');
  const [region, setRegion] = useState(rate?.region_code ?? '');
  const [percent, setPercent] = useState(rate ? String(rate.rate) : '');
  const [onShipping, setOnShipping] = useState(rate?.applies_to_shipping ?? true);
  const [local, setLocal] = useState<Record<string, string>>({});
  const action = useAction();
  const errors = { ...(action.trouble?.fields ?? {}), ...local };

  async function save(event: FormEvent) {
    event.preventDefault();
    setLocal(isNumber(percent) ? {} : { rate: 'must be a number, like 19 or 7.25' });
    if (!isNumber(percent)) return;
    const body = { name, country_code: country.trim() as Country, region_code: region.trim() || null, rate: Number(percent), applies_to_shipping: onShipping };
    const said = (r: TaxRate) => `${rate ? 'Saved' : 'Created'} ${r.name}.`;
    const saved = rate
      ? await action.run(() => ask(api.PUT('/tax-rates/{id}', { params: { path: { id: rate.id } }, body })), said)
      : await action.run(() => ask(api.POST('/tax-rates', { body })), said);
    if (saved) onDone(said(saved));
  }

  return (
    <form className="card" onSubmit={save} noValidate aria-label={rate ? `Edit ${rate.name}` : 'New tax rate'}>
      <h2>{rate ? `Edit ${rate.name}` : 'New tax rate'}</h2>
      <Field label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} />
      <Field label="Country code" name="country_code" hint="Two capitals: DE, US" value={country} onChange={(e) => setCountry(e.target.value)} error={errors.country_code} />
      <Field label="Region code" name="region_code" hint="Blank: the whole country; CA for California" value={region} onChange={(e) => setRegion(e.target.value)} error={errors.region_code} />
      <Field label="Rate (percent)" name="rate" inputMode="decimal" value={percent} onChange={(e) => setPercent(e.target.value)} error={errors.rate} />
      <Field label="Applies to shipping" name="applies_to_shipping" type="checkbox" checked={onShipping} onChange={(e) => setOnShipping(e.target.checked)} />
      <Notice state={action} />
      <div className="buttons">
        <button type="submit" disabled={action.busy}>
          {rate ? 'Save rate' : 'Create rate'}
        </button>
        <button type="button" onClick={() => onDone(undefined)}>
          Close
        </button>
      </div>
    </form>
  );
}
