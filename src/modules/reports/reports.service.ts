import type { Db } from '../../db/database.js';
import { toMajor } from '../../shared/money.js';
import { orderFigures } from '../orders/orders.service.js';
import { findLowStockProducts } from '../products/products.service.js';
import type { SummaryQuery, SummaryResponse } from './reports.schemas.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const LOW_STOCK_SHOWN = 10;

/** The admin's home screen: orders and revenue today and over 7 days, what waits, what runs out. */
export async function summary(db: Db, currency: string, query: SummaryQuery, now = new Date()): Promise<SummaryResponse> {
  const dayStart = query.day_start === undefined ? new Date(now.toISOString().slice(0, 10)) : new Date(query.day_start);
  const today = dayStart.toISOString();
  const week = new Date(dayStart.getTime() - 6 * DAY_MS).toISOString();
  const threshold = query.low_stock ?? 5;
  const [figures, lowStock] = await Promise.all([orderFigures(db, { today, week }), findLowStockProducts(db, threshold, LOW_STOCK_SHOWN)]);
  return {
    currency,
    today: { since: today, orders: figures.today.orders, revenue: toMajor(figures.today.totalCents) },
    last_7_days: { since: week, orders: figures.week.orders, revenue: toMajor(figures.week.totalCents) },
    awaiting_payment: figures.awaitingPayment,
    awaiting_shipment: figures.awaitingShipment,
    low_stock_threshold: threshold,
    low_stock: lowStock.map((product) => ({ id: product.id, product_name: product.product_name, stock: product.stock ?? 0 })),
  };
}
