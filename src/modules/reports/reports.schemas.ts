import { type Static, Type } from '@sinclair/typebox';
import { Id, MoneyOut, Timestamp, named } from '../../shared/schemas.js';

export const SummaryQuery = Type.Object({
  day_start: Type.Optional({
    ...Timestamp,
    description: "When the caller's today began (its local midnight, as ISO 8601); default: midnight UTC. The 7 days begin 6 days before it",
  }),
  low_stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 5, description: 'A tracked stock at or below this is low' })),
});
export type SummaryQuery = Static<typeof SummaryQuery>;

const Takings = Type.Object({
  since: Timestamp,
  orders: Type.Integer({ minimum: 0, description: 'Orders placed since then, cancelled ones included' }),
  revenue: { ...MoneyOut, description: 'The totals of those orders, cancelled ones left out' },
});

export const SummaryResponse = named(
  'Summary',
  Type.Object(
    {
      currency: Type.String({ description: 'The shop currency every amount is in' }),
      today: Takings,
      last_7_days: Takings,
      awaiting_payment: Type.Integer({ minimum: 0, description: 'Orders pending' }),
      awaiting_shipment: Type.Integer({ minimum: 0, description: 'Orders paid and not shipped' }),
      low_stock_threshold: Type.Integer({ minimum: 0 }),
      low_stock: Type.Array(Type.Object({ id: Id, product_name: Type.String(), stock: Type.Integer({ minimum: 0 }) }), {
        description: 'Up to 10 tracked products at or below the threshold, the fewest first',
      }),
    },
    {
      examples: [
        {
          currency: 'USD',
          today: { since: '2026-12-03T00:00:00.000Z', orders: 4, revenue: 182.4 },
          last_7_days: { since: '2026-11-27T00:00:00.000Z', orders: 31, revenue: 1520.75 },
          awaiting_payment: 3,
          awaiting_shipment: 5,
          low_stock_threshold: 5,
          low_stock: [{ id: 7, product_name: 'Mug', stock: 2 }],
        },
      ],
    },
  ),
);
export type SummaryResponse = Static<typeof SummaryResponse>;

export const reportSchemas = [SummaryResponse];
