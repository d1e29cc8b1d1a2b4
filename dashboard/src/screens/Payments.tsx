import { type FormEvent, useState } from 'react';
import { type Schemas, api, ask } from '../api';
import { money, time } from '../format';
import { Field, Loaded, Notice, Table, isNumber, numberOrUndefined, useAction, useLoad } from '../ui';

type Payment = Schemas['Payment'];

const OPEN: Payment['status'][] = ['pending', 'requires_action', 'authorized'];

/** An order's payments with their refunds, and what an admin does with them: capture, void, refund part. */
export function Payments({ orderId, round, onChanged }: { orderId: number; round: number; onChanged: () => void }) {
  const payments = useLoad(() => ask(api.GET('/orders/{id}/payments', { params: { path: { id: orderId } } })), `payments-${orderId}-${round}`);
  const action = useAction();

  async function capture(payment: Payment) {
    const done = await action.run(() => ask(api.POST('/payments/{id}/capture', { params: { path: { id: payment.id } }, body: {} })), (p) => `Captured ${money(p.amount_captured, p.currency)}.`);
    if (done) onChanged();
  }
  async function voidPayment(payment: Payment) {
    const done = await action.run(() => ask(api.POST('/payments/{id}/cancel', { params: { path: { id: payment.id } } })), () => `Payment ${payment.id} is void.`);
    if (done) onChanged();
  }

  return (
    <section aria-label="Payments">
      <h2>Payments</h2>
      <Notice state={action} />
      <Loaded state={payments}>
        {(list) =>
          list.length === 0 ? (
            <p>No payment yet.</p>
          ) : (
            <>
              {list.map((payment) => (
                <div className="card" key={payment.id}>
                  <h3>
                    Payment {payment.id} ({payment.provider}): {payment.status}
                  </h3>
                  <dl className="money">
                    <dt>Amount</dt>
                    <dd>{money(payment.amount, payment.currency)}</dd>
                    <dt>Captured</dt>
                    <dd>{money(payment.amount_captured, payment.currency)}</dd>
                    <dt>Refunded</dt>
                    <dd>{money(payment.amount_refunded, payment.currency)}</dd>
                  </dl>
                  {payment.refunds.length > 0 && (
                    <Table caption={`Refunds of payment ${payment.id}`} head={['Refund', 'Amount', 'Reason', 'When']}>
                      {payment.refunds.map((refund) => (
                        <tr key={refund.id}>
                          <td>{refund.id}</td>
                          <td className="num">{money(refund.amount, payment.currency)}</td>
                          <td>{refund.reason ?? '—'}</td>
                          <td>{time(refund.created_at)}</td>
                        </tr>
                      ))}
                    </Table>
                  )}
                  {OPEN.includes(payment.status) && (
                    <div className="buttons">
                      <button type="button" disabled={action.busy} onClick={() => capture(payment)}>
                        Capture payment {payment.id}
                      </button>
                      <button type="button" className="danger" disabled={action.busy} onClick={() => voidPayment(payment)}>
                        Void payment {payment.id}
                      </button>
                    </div>
                  )}
                  {payment.amount_captured > payment.amount_refunded && <RefundForm payment={payment} onRefunded={onChanged} />}
                </div>
              ))}
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function RefundForm({ payment, onRefunded }: { payment: Payment; onRefunded: () => void }) {
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [local, setLocal] = useState<Record<string, string>>({});
  const action = useAction();
  const errors = { ...(action.trouble?.fields ?? {}), ...local };
  const left = Math.round((payment.amount_captured - payment.amount_refunded) * 100) / 100;

  async function refund(event: FormEvent) {
    event.preventDefault();
    setLocal(amount.trim() && !isNumber(amount) ? { amount: 'must be a number, or blank for all that is left' } : {});
    if (amount.trim() && !isNumber(amount)) return;
    const value = numberOrUndefined(amount);
    const body = { ...(value === undefined ? {} : { amount: value }), ...(reason.trim() ? { reason: reason.trim() } : {}) };
    const done = await action.run(
      () => ask(api.POST('/payments/{id}/refunds', { params: { path: { id: payment.id } }, body })),
      (r) => `Refunded ${money(r.amount, payment.currency)}.`,
    );
    if (!done) return;
    setAmount('');
    setReason('');
    onRefunded();
  }

  return (
    <form className="inline" onSubmit={refund} noValidate aria-label={`Refund payment ${payment.id}`}>
      <Field label="Refund amount" name="amount" inputMode="decimal" hint={`Blank: all that is left, ${money(left, payment.currency)}`} value={amount} onChange={(e) => setAmount(e.target.value)} error={errors.amount} />
      <Field label="Reason" name="reason" value={reason} onChange={(e) => setReason(e.target.value)} error={errors.reason} />
      <button type="submit" disabled={action.busy}>
        Refund
      </button>
      <Notice state={action} />
    </form>
  );
}
