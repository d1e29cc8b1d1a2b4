import { type FormEvent, useState } from 'react';
import { type Schemas, api, ask } from '../api';
import { money, time } from '../format';
import { EditableList, type EditorProps, Field, FormButtons, Notice, isNumber, numberOrUndefined, useAction } from '../ui';

type ShippingRate = Schemas['ShippingRate'];
type TaxRate = Schemas['TaxRate'];
// Country codes are the user's text here; the API refuses what is not an assigned code, beside the field.
type Country = Schemas['CreateTaxRateBody']['country_code'];
type Countries = Schemas['CreateShippingRateBody']['countries'];

function countriesOf(text: string): Countries {
  const codes = text.split(/[\s,]+/).filter(Boolean).map((code) => code.toUpperCase());
  return (codes.length === 1 && codes[0] === '*' ? ['*'] : codes) as Countries;
}

/** Blank → null (no bound). */
function bound(text: string): number | null {
  return numberOrUndefined(text) ?? null;
}

export function ShippingRates() {
  return (
    <EditableList<ShippingRate>
      title="Shipping rates"
      noun="shipping rate"
      load={() => ask(api.GET('/shipping-rates'))}
      remove={(rate) => ask(api.DELETE('/shipping-rates/{id}', { params: { path: { id: rate.id } } }))}
      head={['Name', 'Price', 'Countries', 'Subtotal from', 'up to', 'Active']}
      cells={(rate) => (
        <>
          <td>{rate.name}</td>
          <td className="num">{money(rate.price)}</td>
          <td>{rate.countries.join(', ')}</td>
          <td className="num">{money(rate.min_subtotal)}</td>
          <td className="num">{money(rate.max_subtotal)}</td>
          <td>{rate.active ? 'yes' : 'no'}</td>
        </>
      )}
      Editor={ShippingForm}
    />
  );
}

function ShippingForm({ item: rate, onDone }: EditorProps<ShippingRate>) {
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
      <FormButtons busy={action.busy} submit={rate ? 'Save rate' : 'Create rate'} onClose={() => onDone(undefined)} />
    </form>
  );
}

export function TaxRates() {
  return (
    <EditableList<TaxRate>
      title="Tax rates"
      noun="tax rate"
      load={() => ask(api.GET('/tax-rates'))}
      remove={(rate) => ask(api.DELETE('/tax-rates/{id}', { params: { path: { id: rate.id } } }))}
      head={['Name', 'Country', 'Region', 'Rate', 'On shipping', 'Changed']}
      cells={(rate) => (
        <>
          <td>{rate.name}</td>
          <td>{rate.country_code}</td>
          <td>{rate.region_code ?? 'whole country'}</td>
          <td className="num">{rate.rate} %</td>
          <td>{rate.applies_to_shipping ? 'yes' : 'no'}</td>
          <td>{time(rate.updated_at)}</td>
        </>
      )}
      Editor={TaxForm}
    />
  );
}

function TaxForm({ item: rate, onDone }: EditorProps<TaxRate>) {
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
      <FormButtons busy={action.busy} submit={rate ? 'Save rate' : 'Create rate'} onClose={() => onDone(undefined)} />
    </form>
  );
}
