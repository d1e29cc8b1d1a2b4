import type { Config } from '../config.js';
import { presentPasswordResetEvent } from '../modules/auth/password-reset.service.js';
import type { EventPresenter } from '../modules/events/events.service.js';

/**
 * How stored events become what consumers receive, for the feed and the webhooks alike.
 * A password reset event is stored without its token (only what the token is derived from
 * with the server's secret), so a copy of the database alone opens no account.
 */
export function eventPresenter(config: Config): EventPresenter {
  return (type, data) => (type === 'customer.password_reset_requested' ? presentPasswordResetEvent(data, config.jwtSecret) : data);
}
