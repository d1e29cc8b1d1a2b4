import { type ReactNode, useEffect, useRef, useState } from 'react';
import { api, ask, session, whenSessionEnds } from './api';
import { setShopCurrency } from './format';
import { match, useRoute } from './router';
import { Customer, Customers } from './screens/Customers';
import { Home } from './screens/Home';
import { Order, Orders } from './screens/Orders';
import { Products } from './screens/Products';
import { ShippingRates, TaxRates } from './screens/Rates';
import { SignIn } from './screens/SignIn';
import { Webhook, Webhooks } from './screens/Webhooks';

const CURRENCY_KEY = 'shop-admin-currency';

export function App() {
  const [signedIn, setSignedIn] = useState(() => session.token() !== undefined);
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    whenSessionEnds((message) => {
      setNotice(message);
      setSignedIn(false);
    });
  }, []);
  setShopCurrency(sessionStorage.getItem(CURRENCY_KEY) ?? 'USD');

  if (!signedIn) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(currency) => {
          sessionStorage.setItem(CURRENCY_KEY, currency);
          setNotice(undefined);
          setSignedIn(true);
        }}
      />
    );
  }
  return (
    <Shell
      onSignOut={async () => {
        // Ends this token (and the admin's others) on the server too, so a copied token is worthless.
        await ask(api.POST('/customers/logout'));
        session.end();
        setNotice('You are signed out.');
        setSignedIn(false);
      }}
    />
  );
}

const SCREENS: [title: string, path: string][] = [
  ['Home', '/'],
  ['Orders', '/orders'],
  ['Products', '/products'],
  ['Customers', '/customers'],
  ['Shipping rates', '/shipping-rates'],
  ['Tax rates', '/tax-rates'],
  ['Webhooks', '/webhooks'],
];

function screenOf(path: string): ReactNode {
  const bare = path.split('?')[0]!;
  let params: Record<string, string> | undefined;
  if ((params = match('/orders/:id', bare))) return <Order id={Number(params.id)} />;
  if ((params = match('/customers/:id', bare))) return <Customer id={Number(params.id)} />;
  if ((params = match('/webhooks/:id', bare))) return <Webhook id={Number(params.id)} />;
  switch (bare) {
    case '/':
      return <Home />;
    case '/orders':
      return <Orders />;
    case '/products':
      return <Products />;
    case '/customers':
      return <Customers />;
    case '/shipping-rates':
      return <ShippingRates />;
    case '/tax-rates':
      return <TaxRates />;
    case '/webhooks':
      return <Webhooks />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p>
            There is no screen at {bare}. <a href="#/">Go to the home screen</a>.
          </p>
        </>
      );
  }
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const path = useRoute();
  const main = useRef<HTMLElement>(null);
  // A new screen: move the focus to its heading, so keyboard and screen-reader users start there.
  useEffect(() => {
    main.current?.querySelector('h1')?.focus();
  }, [path]);
  const section = '/' + (path.split('?')[0]!.split('/')[1] ?? '');
  return (
    <>
      <a className="skip" href="#main" onClick={(event) => { event.preventDefault(); main.current?.querySelector('h1')?.focus(); }}>
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Shop admin</span>
        <nav aria-label="Screens">
          <ul>
            {SCREENS.map(([title, href]) => (
              <li key={href}>
                <a href={`#${href}`} aria-current={section === href ? 'page' : undefined}>
                  {title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" ref={main}>
        {screenOf(path)}
      </main>
    </>
  );
}
