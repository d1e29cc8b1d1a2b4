// `npm run seed`: fills the shop that DATABASE_URL names (by default ./data/shop.db, the one
// `npm start` serves) with a demo shop, through the API's own routes, with a progress bar:
//   npm run seed -- --products 40 --customers 25 --orders 150
// The admin signs in with ADMIN_PASSWORD, or, on an empty database, with the password this
// run generates and prints (as `npm start` would).
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { buildApp } from '../src/app.js';
import { ConfigError, loadConfigFromProcess } from '../src/config.js';
import { demoShop } from './demo-shop.js';

/** A mistake of the one who ran it, said in one sentence. */
class SeedUsageError extends Error {}

const USAGE = 'usage: npm run seed -- [--products N] [--customers N] [--orders N]   (defaults 40, 25, 150; each 0 to 10000)';

function size(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 10_000) throw new SeedUsageError(`--${name} must be a whole number from 0 to 10000, got "${text}"\n${USAGE}`);
  return n;
}

async function main() {
  const { values } = parseArgs({ options: { products: { type: 'string' }, customers: { type: 'string' }, orders: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) return console.log(USAGE);
  const sizes = { products: size(values.products, 40, 'products'), customers: size(values.customers, 25, 'customers'), orders: size(values.orders, 150, 'orders') };
  // The limits that protect a live shop from one client would stop this one-off client half way.
  process.env.MAX_PENDING_ORDERS_PER_CUSTOMER = '1000000';
  process.env.GUEST_CARTS_MAX_PER_ADDRESS = '1000000';
  process.env.IDENTITY_CHECKS_MAX_PER_HOUR = '1000000';
  process.env.WEBHOOK_DELIVERY = 'worker';
  process.env.LOG_LEVEL ??= 'warn';
  const config = loadConfigFromProcess();
  let password = config.adminPassword;
  const app = await buildApp(config, {
    onFirstAdmin: (admin) => {
      if (!admin.generatedPassword) return;
      password = admin.generatedPassword;
      console.log(`\nCreated the first admin "${admin.username}" with the generated password:\n\n    ${password}\n`);
    },
  });
  try {
    const login = await app.inject({ method: 'POST', url: '/customers/login', payload: { username: config.adminUsername, password: password ?? '' } });
    if (login.statusCode !== 200) throw new SeedUsageError(`Could not sign in as "${config.adminUsername}": set ADMIN_PASSWORD (and ADMIN_USERNAME) to the admin's.`);
    const steps = demoShop(app, login.json().auth_token).steps(sizes);
    console.log(`Seeding ${sizes.products} products, ${sizes.customers} customers and ${sizes.orders} orders into ${config.databaseUrl.replace(/\/\/[^@]*@/, '//…@')}`);
    const bar = new SingleBar({ format: '{bar} {percentage}% | {value}/{total} steps | {eta_formatted} left', hideCursor: true });
    bar.start(steps.length, 0);
    for (const step of steps) {
      await step();
      bar.increment();
    }
    bar.stop();
    console.log('Done. `npm start`, then open http://127.0.0.1:3000/admin/ and sign in as the admin.');
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof SeedUsageError ? error.message : error);
  process.exit(1);
});
