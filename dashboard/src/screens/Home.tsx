import { api, ask } from '../api';
import { localMidnight, money } from '../format';
import { Loaded, useLoad } from '../ui';

export function Home() {
  const summary = useLoad(() => ask(api.GET('/reports/summary', { params: { query: { day_start: localMidnight() } } })), 'summary');
  return (
    <>
      <h1 tabIndex={-1}>Home</h1>
      <Loaded state={summary}>
        {(s) => (
          <>
            <ul className="figures">
              <li>
                <span>Today</span>
                <strong>{money(s.today.revenue, s.currency)}</strong>
                <span>{s.today.orders} orders</span>
              </li>
              <li>
                <span>Last 7 days</span>
                <strong>{money(s.last_7_days.revenue, s.currency)}</strong>
                <span>{s.last_7_days.orders} orders</span>
              </li>
              <li>
                <span>Waiting for payment</span>
                <strong>{s.awaiting_payment}</strong>
                <a href="#/orders?status=pending">See them</a>
              </li>
              <li>
                <span>Waiting for shipping</span>
                <strong>{s.awaiting_shipment}</strong>
                <a href="#/orders?status=paid">See them</a>
              </li>
            </ul>
            <h2>Low on stock (at most {s.low_stock_threshold})</h2>
            {s.low_stock.length === 0 ? (
              <p>No product is low on stock.</p>
            ) : (
              <ul>
                {s.low_stock.map((product) => (
                  <li key={product.id}>
                    <a href={`#/products?q=${encodeURIComponent(product.product_name)}`}>{product.product_name}</a>: {product.stock} left
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Loaded>
    </>
  );
}
